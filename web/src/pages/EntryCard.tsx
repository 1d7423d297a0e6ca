// One timeline entry. Its text is always text (React escapes it; HTML in a note is shown, never run),
// its direction follows the text (dir="auto": Arabic or Hebrew reads right to left), and it can be edited
// against the revision it shows: when someone else saved first, their version is shown beside yours.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useClient } from 'urql';
import { EntryFields, type Entry } from '../entries';
import { money, when, words } from '../format';
import { graphql } from '../graphql';
import { describe, type UserError } from './Composer';

const EditEntry = graphql(
  `
    mutation EditEntry($input: EditEntryInput!) {
      editEntry(input: $input) {
        entry {
          ...EntryFields
        }
        userErrors {
          code
          message
          field
        }
      }
    }
  `,
  [EntryFields],
);

const Current = graphql(
  `
    query CurrentEntry($id: ID!) {
      node(id: $id) {
        ...EntryFields
      }
    }
  `,
  [EntryFields],
);

const Revisions = graphql(`
  query Revisions($id: ID!) {
    node(id: $id) {
      ... on TimelineEntry {
        revisions {
          revision
          summary
          body
          editedAt
          editedBy {
            name
          }
        }
      }
    }
  }
`);

type Revision = { revision: number; summary: string; body: string | null; editedAt: string; editedBy: { name: string } | null };

/** The kinds people write and may edit; the others are facts from the ERP or the payment run. */
const EDITABLE = new Set(['NOTE', 'CALL', 'EMAIL', 'MEETING', 'LETTER', 'SMS', 'NEWS', 'PROMISE_TO_PAY', 'DISPUTE', 'FOLLOW_UP']);

function details(entry: Entry): string | null {
  const parts: string[] = [];
  if ('direction' in entry && entry.direction) parts.push(entry.direction === 'INBOUND' ? 'They contacted us' : 'We contacted them');
  if ('outcome' in entry && entry.outcome) parts.push(words(entry.outcome));
  if ('promisedFor' in entry && entry.amount) parts.push(`${money(entry.amount)} promised for ${entry.promisedFor} (${words(entry.status)})`);
  if ('reason' in entry && entry.reason) parts.push(`${words(entry.reason)} dispute, ${words(entry.disputeStatus)}${entry.disputed ? `, ${money(entry.disputed)}` : ''}`);
  if ('category' in entry && entry.category) parts.push(words(entry.category));
  if ('dueAt' in entry && entry.dueAt) parts.push(`Due ${when(entry.dueAt)}${entry.done ? ', done' : ''}${entry.assignee ? `, for ${entry.assignee.name}` : ''}`);
  if ('receivedOn' in entry && entry.paid) parts.push(`${money(entry.paid)} received on ${entry.receivedOn}`);
  if ('toStatus' in entry && entry.toStatus) parts.push(`${entry.fromStatus ? words(entry.fromStatus) : 'New'} → ${words(entry.toStatus)}`);
  return parts.length ? parts.join(' · ') : null;
}

export function EntryCard({ entry, onChanged, focus = false }: { entry: Entry; onChanged: (entry: Entry) => void; focus?: boolean }) {
  const [editing, setEditing] = useState(false);
  const [revisions, setRevisions] = useState<Revision[] | null>(null);
  const client = useClient();
  const card = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focus) card.current?.focus();
  }, [focus]);
  const titleId = `entry-${entry.id}-title`;
  const extra = details(entry);

  const showRevisions = async () => {
    const result = await client.query(Revisions, { id: entry.id }, { requestPolicy: 'network-only' }).toPromise();
    const node = result.data?.node;
    setRevisions(node && 'revisions' in node && node.revisions ? [...node.revisions] : []);
  };

  return (
    <article ref={card} className={`entry${entry.visibility === 'RESTRICTED' ? ' restricted' : ''}`} aria-labelledby={titleId} tabIndex={focus ? -1 : undefined}>
      <header>
        <span className="kind">{words(entry.kind)}</span>
        {entry.visibility === 'RESTRICTED' && <span className="badge">Restricted: AR and ADMIN only</span>}
        {entry.pinned && <span className="badge">Pinned</span>}
        <span className="meta">
          {when(entry.occurredAt)} · {entry.author?.name ?? 'System'} ({entry.team})
          {entry.contact && ` · with ${entry.contact.name}`}
          {entry.revision > 1 && ` · edited (revision ${entry.revision})`}
        </span>
      </header>
      <h4 id={titleId} className="summary" dir="auto">
        {entry.summary}
      </h4>
      {extra && <p className="details">{extra}</p>}
      {entry.body && (
        <p className="body" dir="auto">
          {entry.body}
        </p>
      )}
      {entry.tags.length > 0 && <p className="tags">{entry.tags.map((t) => `#${t}`).join(' ')}</p>}
      <div className="actions">
        {EDITABLE.has(entry.kind) && !editing && (
          <button type="button" onClick={() => setEditing(true)} aria-label={`Edit “${entry.summary.slice(0, 60)}”`}>
            Edit
          </button>
        )}
        {entry.revision > 1 && revisions === null && (
          <button type="button" onClick={showRevisions}>
            Earlier versions
          </button>
        )}
      </div>
      {revisions && (
        <ol className="revisions" aria-label="Earlier versions">
          {revisions.map((r) => (
            <li key={r.revision}>
              <span className="meta">
                Revision {r.revision}, {when(r.editedAt)} by {r.editedBy?.name ?? 'someone'}
              </span>
              <p dir="auto">{r.summary}</p>
              {r.body && <p dir="auto" className="body">{r.body}</p>}
            </li>
          ))}
        </ol>
      )}
      {editing && (
        <EditForm
          entry={entry}
          onDone={(changed) => {
            setEditing(false);
            setRevisions(null);
            if (changed) onChanged(changed);
          }}
        />
      )}
    </article>
  );
}

function EditForm({ entry, onDone }: { entry: Entry; onDone: (changed: Entry | null) => void }) {
  const client = useClient();
  const [summary, setSummary] = useState(entry.summary);
  const [body, setBody] = useState(entry.body ?? '');
  const [expected, setExpected] = useState(entry.revision);
  const [theirs, setTheirs] = useState<Entry | null>(null);
  const [errors, setErrors] = useState<UserError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `edit-${entry.id}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const input = { id: entry.id, expectedRevision: expected, summary, body: body.trim() ? body : null };
    const result = await client.mutation(EditEntry, { input }).toPromise();
    setBusy(false);
    if (result.error) {
      setFailure(describe(result.error));
      return;
    }
    const payload = result.data?.editEntry;
    if (!payload) return;
    const conflict = payload.userErrors.find((e) => e.code === 'CONFLICT');
    if (conflict) {
      const current = await client.query(Current, { id: entry.id }, { requestPolicy: 'network-only' }).toPromise();
      const node = current.data?.node;
      if (node && 'revision' in node) {
        setTheirs(node as Entry);
        setExpected((node as Entry).revision);
      }
      setErrors([]);
      return;
    }
    setErrors([...payload.userErrors]);
    if (payload.entry && payload.userErrors.length === 0) onDone(payload.entry);
  };

  const at = (name: string) => errors.filter((e) => e.field?.includes(name));
  const general = errors.filter((e) => !e.field?.some((part) => part === 'summary' || part === 'body'));
  return (
    <form className="edit" onSubmit={save} noValidate aria-label="Edit the entry">
      {theirs && (
        <div className="conflict" role="alert">
          <p>
            Someone else saved this entry first (revision {theirs.revision}, by {theirs.author?.name ?? 'someone'}). Their
            version:
          </p>
          <blockquote>
            <p dir="auto">{theirs.summary}</p>
            {theirs.body && <p dir="auto" className="body">{theirs.body}</p>}
          </blockquote>
          <p>Your text is still below: save again to replace theirs, or cancel to keep theirs.</p>
        </div>
      )}
      <label htmlFor={`${base}-summary`}>Summary</label>
      <input
        id={`${base}-summary`}
        dir="auto"
        value={summary}
        onChange={(e) => setSummary(e.target.value)}
        aria-invalid={at('summary').length ? true : undefined}
        aria-describedby={at('summary').length ? `${base}-summary-error` : undefined}
      />
      {at('summary').length > 0 && <p id={`${base}-summary-error`} className="error">{at('summary').map((e) => e.message).join(' ')}</p>}
      <label htmlFor={`${base}-body`}>Details</label>
      <textarea
        id={`${base}-body`}
        dir="auto"
        rows={4}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        aria-invalid={at('body').length ? true : undefined}
        aria-describedby={at('body').length ? `${base}-body-error` : undefined}
      />
      {at('body').length > 0 && <p id={`${base}-body-error`} className="error">{at('body').map((e) => e.message).join(' ')}</p>}
      {general.length > 0 && <p className="error">{general.map((e) => e.message).join(' ')}</p>}
      {failure && <p className="error" role="alert">{failure}</p>}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" onClick={() => onDone(theirs)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
