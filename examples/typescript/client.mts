// A small Rapport client: bearer token, automatic persisted queries, errors by extensions.code.
import { createHash } from 'node:crypto';
import { print } from 'graphql';
import type { TadaDocumentNode } from 'gql.tada';

export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; requestId?: string };
}

/** A request error (`errors` without `data`), or a field error where `data` is partial. */
export class RapportError extends Error {
  constructor(readonly errors: GraphQLError[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }
}

interface Body {
  data?: unknown;
  errors?: GraphQLError[];
}

export class Rapport {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  /** Sends the document's hash first; the text goes only when the server does not know it yet. */
  async request<Result, Variables>(document: TadaDocumentNode<Result, Variables>, variables: Variables): Promise<Result> {
    const query = print(document);
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    let body = await this.post({ variables, extensions: { persistedQuery } });
    if (body.errors?.some((e) => e.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')) {
      body = await this.post({ query, variables, extensions: { persistedQuery } });
    }
    if (body.errors?.length) throw new RapportError(body.errors);
    return body.data as Result;
  }

  private async post(payload: object, attempt = 1): Promise<Body> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
      },
      body: JSON.stringify(payload),
    });
    // Rate-limited or the database restarting: wait as told, then try once more.
    if ((response.status === 429 || response.status === 503) && attempt === 1) {
      const seconds = Number(response.headers.get('retry-after') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      return this.post(payload, attempt + 1);
    }
    return (await response.json()) as Body;
  }
}
