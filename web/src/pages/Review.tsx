// Messages to review: drafts the dunning planner wrote that wait for a person to approve (as they are,
// or with edited text) or cancel with a reason.
import { useState } from 'react';
import { useClient } from 'urql';
import { when, words } from '../format';
import { graphql, type ResultOf } from '../graphql';
import { More, usePages } from '../pages';
import { Link } from '../router';

const ToReview = graphql(`
  query ToReview($after: String) {
    messagesToReview(first: 20, after: $after) {
      edges {
        node {
          id
          channel
          subject
          body
          templateName
          scheduledFor
          account {
            id
            name
          }
          contact {
            name
            email
          }
          invoices {
            number
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const Approve = graphql(`
  mutation Approve($id: ID!, $subject: String, $body: String) {
    approveMessage(id: $id, subject: $subject, body: $body) {
      message {
        id
        status
      }
      userErrors {
        code
        message
        field
      }
    }
  }
`);

const Cancel = graphql(`
  mutation Cancel($id: ID!, $reason: String!) {
    cancelMessage(id: $id, reason: $reason) {
      message {
        id
        status
      }
      userErrors {
        code
        message
        field
      }
    }
  }
`);

type Message = ResultOf<typeof ToReview>['messagesToReview']['edges'][number]['node'];

export function ReviewPage() {
  const client = useClient();
  const pages = usePages(async (after) => {
    const result = await client.query(ToReview, { after }, { requestPolicy: 'network-only' }).toPromise();
    const list = result.data?.messagesToReview;
    return list ? { items: list.edges.map((e) => e.node), ...list.pageInfo } : null;
  }, [client]);
  const settle = (id: string) => pages.setItems((items) => items.filter((m) => m.id !== id));
  return (
    <section aria-labelledby="review-title">
      <h1 id="review-title">Messages to review</h1>
      {pages.failed && <p role="alert">Could not load the messages to review.</p>}
      {!pages.loading && !pages.failed && pages.items.length === 0 && <p>No message waits for you.</p>}
      {pages.items.map((message) => (
        <Draft key={message.id} message={message} onSettled={settle} />
      ))}
      <More pages={pages} what="messages" />
    </section>
  );
}

function Draft({ message, onSettled }: { message: Message; onSettled: (id: string) => void }) {
  const client = useClient();
  const [subject, setSubject] = useState(message.subject ?? '');
  const [body, setBody] = useState(message.body);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const base = `message-${message.id}`;

  const approve = async () => {
    const edited = {
      subject: subject !== (message.subject ?? '') ? subject : null,
      body: body !== message.body ? body : null,
    };
    const result = await client.mutation(Approve, { id: message.id, ...edited }).toPromise();
    const payload = result.data?.approveMessage;
    if (result.error || !payload) return setError(result.error?.message ?? 'Not approved.');
    if (payload.userErrors.length) return setError(payload.userErrors.map((e) => e.message).join(' '));
    setDone('Approved: it is scheduled.');
    onSettled(message.id);
  };
  const cancel = async () => {
    if (!reason.trim()) return setError('Say why it is cancelled.');
    const result = await client.mutation(Cancel, { id: message.id, reason }).toPromise();
    const payload = result.data?.cancelMessage;
    if (result.error || !payload) return setError(result.error?.message ?? 'Not cancelled.');
    if (payload.userErrors.length) return setError(payload.userErrors.map((e) => e.message).join(' '));
    setDone('Cancelled.');
    onSettled(message.id);
  };

  return (
    <article className="card" aria-labelledby={`${base}-title`}>
      <h2 id={`${base}-title`}>
        <Link to={{ page: 'account', id: message.account.id, entry: null }}>{message.account.name}</Link>:{' '}
        {words(message.channel)} to {message.contact ? message.contact.name : 'no contact'}
      </h2>
      <p className="meta">
        {message.templateName && `Template ${message.templateName} · `}
        {message.scheduledFor ? `Planned for ${when(message.scheduledFor)}` : 'Not scheduled'}
        {message.invoices.length > 0 && ` · Invoices ${message.invoices.map((i) => i.number).join(', ')}`}
      </p>
      {message.subject !== null && (
        <div className="field">
          <label htmlFor={`${base}-subject`}>Subject</label>
          <input id={`${base}-subject`} dir="auto" value={subject} onChange={(e) => setSubject(e.target.value)} />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${base}-body`}>Text</label>
        <textarea id={`${base}-body`} dir="auto" rows={8} value={body} onChange={(e) => setBody(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${base}-reason`}>Reason, to cancel it</label>
        <input id={`${base}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {done && <p role="status">{done}</p>}
      <div className="actions">
        <button type="button" onClick={approve}>
          Approve and schedule
        </button>
        <button type="button" onClick={cancel}>
          Cancel the message
        </button>
      </div>
    </article>
  );
}
