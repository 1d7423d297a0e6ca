// One urql client and one graphql-ws client per signed-in token, over the same /graphql as every client.
// The server's answers decide the app's state: UNAUTHENTICATED signs out with a sentence, no answer
// (or a 5xx) raises the "API down" banner, and any answer lowers it again.
import { createClient as createSocket, type Client as Socket } from 'graphql-ws';
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange, type CombinedError } from 'urql';
import { graphql } from './graphql';
import { forgetToken } from './session';
import { getStatus, setStatus } from './status';

export const REVOKED =
  'Your session has ended: the server no longer accepts your token (it was revoked or has expired, or your user was disabled). Sign in again with a new token.';

export interface Api {
  client: Client;
  socket: Socket;
}

export function signOut(reason: string | null): void {
  forgetToken();
  setStatus({ signedOutBecause: reason, session: getStatus().session + 1, apiDown: false });
}

function refused(error: CombinedError): boolean {
  return (
    error.response?.status === 401 || error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
  );
}

function unanswered(error: CombinedError): boolean {
  const status: number | undefined = error.response?.status;
  return (error.networkError !== undefined && status === undefined) || (status !== undefined && status >= 500);
}

export function createApi(token: string): Api {
  const authorization = `Bearer ${token}`;
  const socket = createSocket({
    url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`,
    connectionParams: { Authorization: authorization },
    lazy: true,
    // The live hooks (live.ts) subscribe again themselves, from the last event they got.
    retryAttempts: 0,
  });
  const client = new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: { headers: { authorization } },
    exchanges: [
      cacheExchange,
      mapExchange({
        onResult(result) {
          if (result.operation.kind !== 'subscription' && (!result.error || !unanswered(result.error))) {
            setStatus({ apiDown: false });
          }
          return result;
        },
        onError(error, operation) {
          // A socket that closes says nothing about why: the live hooks ask over HTTP (checkSession).
          if (operation.kind === 'subscription') return;
          if (refused(error)) signOut(REVOKED);
          else if (unanswered(error)) setStatus({ apiDown: true });
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: socket.subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
    ],
  });
  return { client, socket };
}

const SessionCheck = graphql(`
  query SessionCheck {
    me {
      id
    }
  }
`);

/** One HTTP request after a live subscription failed: signs out if the token was revoked, or raises
 * the "API down" banner if nothing answers. */
export function checkSession(client: Client): void {
  void client.query(SessionCheck, {}, { requestPolicy: 'network-only' }).toPromise();
}

/** A new idempotency key: the same one is sent again for a retry of the same draft. */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
