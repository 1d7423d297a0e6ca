// node dist/timeline.mjs URL TOKEN ACCOUNT_ID: prints a page of the account's timeline, then logs a note.
import { randomUUID } from 'node:crypto';
import { Rapport } from './client.mjs';
import { graphql } from './graphql.mjs';

const Timeline = graphql(`
  query Timeline($id: ID!, $first: Int, $after: String) {
    account(id: $id) {
      name
      timeline(first: $first, after: $after) {
        edges {
          node {
            __typename
            id
            kind
            occurredAt
            summary
            author { name }
            ... on PromiseToPay { amount { amount currency } promisedFor }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

const LogNote = graphql(`
  mutation LogNote($input: LogNoteInput!) {
    logNote(input: $input) {
      entry { id summary }
      userErrors { code message field }
    }
  }
`);

const [url, token, accountId] = process.argv.slice(2);
const rapport = new Rapport(url, token);

const page = await rapport.request(Timeline, { id: accountId, first: 5 });
if (!page.account) throw new Error(`no account ${accountId}`);
console.log(`timeline of ${page.account.name}`);
for (const { node } of page.account.timeline.edges) {
  const promise = node.__typename === 'PromiseToPay' ? ` (${node.amount.amount} ${node.amount.currency})` : '';
  console.log(`${node.occurredAt} ${node.kind} ${node.summary}${promise} by ${node.author?.name ?? 'Rapport'}`);
}
if (page.account.timeline.pageInfo.hasNextPage) {
  console.log(`more after ${page.account.timeline.pageInfo.endCursor}`);
}

// One idempotency key per note: a retry after a lost answer cannot write it twice.
const input = { accountId, summary: 'Called from the TypeScript example', idempotencyKey: randomUUID() };
const { logNote } = await rapport.request(LogNote, { input });
if (logNote.userErrors.length) {
  for (const e of logNote.userErrors) console.error(`${e.code} at ${e.field?.join('.')}: ${e.message}`);
  process.exit(1);
}
console.log(`logged note ${logNote.entry?.id}: ${logNote.entry?.summary}`);
