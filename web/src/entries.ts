// The fields every list of timeline entries shows, asked for in one fragment so that the timeline, the
// pinned entries and the live subscription all render the same thing.
import { graphql, type ResultOf } from './graphql';

export const EntryFields = graphql(`
  fragment EntryFields on TimelineEntry {
    id
    kind
    summary
    body
    occurredAt
    team
    visibility
    pinned
    revision
    tags
    author {
      name
    }
    contact {
      name
    }
    ... on Interaction {
      direction
      outcome
    }
    ... on PromiseToPay {
      amount {
        amount
        currency
      }
      promisedFor
      status
    }
    ... on Dispute {
      reason
      disputeStatus: status
      disputed: amount {
        amount
        currency
      }
    }
    ... on CustomerNews {
      category
    }
    ... on FollowUp {
      dueAt
      done
      assignee {
        name
      }
    }
    ... on PaymentReceived {
      paid: amount {
        amount
        currency
      }
      receivedOn
    }
    ... on InvoiceStatusChange {
      fromStatus
      toStatus
    }
  }
`);

export type Entry = ResultOf<typeof EntryFields>;

/** The kinds a person writes (the others come from the ERP or payments), in the composer's order. */
export const FILTERS = [
  { label: 'Notes', kinds: ['NOTE'] },
  { label: 'Calls', kinds: ['CALL'] },
  { label: 'Emails', kinds: ['EMAIL'] },
  { label: 'Meetings and letters', kinds: ['MEETING', 'LETTER', 'SMS'] },
  { label: 'News', kinds: ['NEWS'] },
  { label: 'Promises', kinds: ['PROMISE_TO_PAY', 'PAYMENT_PLAN'] },
  { label: 'Disputes', kinds: ['DISPUTE'] },
  { label: 'Follow-ups', kinds: ['FOLLOW_UP'] },
  { label: 'Invoices and payments', kinds: ['INVOICE_STATUS', 'PAYMENT'] },
] as const;

export type Kind = (typeof FILTERS)[number]['kinds'][number];
