// The composer: one form for every entry a person logs. The server's userErrors are shown at their field,
// every submit carries an idempotency key (a double click or a retry writes once), and the draft stays
// on this device until the server has it.
import { cloneElement, useRef, useState, type FormEvent, type ReactElement } from 'react';
import { useClient, type CombinedError } from 'urql';
import { newKey } from '../api';
import { dropDraft, loadDraft, saveDraft, type ComposerKind, type Draft } from '../drafts';
import { EntryFields, type Entry } from '../entries';
import { money, words } from '../format';
import { graphql } from '../graphql';

const LogNote = graphql(
  `mutation LogNote($input: LogNoteInput!) { logNote(input: $input) { entry { ...EntryFields } userErrors { code message field } } }`,
  [EntryFields],
);
const LogInteraction = graphql(
  `mutation LogInteraction($input: LogInteractionInput!) { logInteraction(input: $input) { entry { ...EntryFields } userErrors { code message field } } }`,
  [EntryFields],
);
const LogNews = graphql(
  `mutation LogNews($input: LogNewsInput!) { logNews(input: $input) { entry { ...EntryFields } userErrors { code message field } } }`,
  [EntryFields],
);
const RecordPromise = graphql(
  `mutation RecordPromise($input: RecordPromiseInput!) { recordPromise(input: $input) { entry { ...EntryFields } userErrors { code message field } } }`,
  [EntryFields],
);
const OpenDispute = graphql(
  `mutation OpenDispute($input: OpenDisputeInput!) { openDispute(input: $input) { entry { ...EntryFields } userErrors { code message field } } }`,
  [EntryFields],
);
const CreateFollowUp = graphql(
  `mutation CreateFollowUp($input: CreateFollowUpInput!) { createFollowUp(input: $input) { entry { ...EntryFields } userErrors { code message field } } }`,
  [EntryFields],
);

export interface UserError {
  code: string;
  message: string;
  field: readonly string[] | null;
}

export interface Written {
  entry: Entry | null;
  userErrors: readonly UserError[];
}

const KINDS: { kind: ComposerKind; label: string }[] = [
  { kind: 'note', label: 'Note' },
  { kind: 'call', label: 'Call' },
  { kind: 'email', label: 'Email' },
  { kind: 'news', label: 'News' },
  { kind: 'promise', label: 'Promise' },
  { kind: 'dispute', label: 'Dispute' },
  { kind: 'followUp', label: 'Follow-up' },
];
const OUTCOMES = ['REACHED', 'LEFT_MESSAGE', 'NO_ANSWER', 'WRONG_CONTACT', 'BOUNCED'] as const;
const CATEGORIES = [
  'DOWNSIZING',
  'EXPANSION',
  'LEADERSHIP_CHANGE',
  'MERGER_ACQUISITION',
  'FINANCIAL_DIFFICULTY',
  'RELOCATION',
  'OTHER',
] as const;
const REASONS = ['PRICING', 'QUANTITY', 'QUALITY', 'NOT_RECEIVED', 'DUPLICATE_BILLING', 'BILLING_ERROR', 'OTHER'] as const;
/** The input fields the form has; a userError whose path names one of them is shown there. */
const FIELDS = new Set([
  'summary',
  'body',
  'outcome',
  'direction',
  'contactId',
  'category',
  'amount',
  'currency',
  'promisedFor',
  'invoiceIds',
  'reason',
  'dueAt',
  'visibility',
]);

export interface ComposerProps {
  accountId: string;
  canRestrict: boolean;
  contacts: readonly { id: string; name: string }[];
  invoices: readonly { id: string; number: string; balance: { amount: string; currency: string } }[];
  currencies: readonly string[];
  onWritten: (entry: Entry) => void;
}

/** The `field` of a userError, as the form's field name; null when it is about the request as a whole. */
export function fieldOf(error: UserError): string | null {
  return error.field?.find((part) => FIELDS.has(part)) ?? null;
}

export function describe(error: CombinedError): string {
  if (error.networkError && !error.response) return 'The API is not answering; your draft is kept, try again.';
  return error.graphQLErrors.map((e) => e.message).join(' ') || error.message;
}

function optional(value: string | undefined): string | null {
  return value && value.trim() ? value : null;
}

/** A datetime-local value ("2026-12-04T09:30") as an instant with the viewer's offset. */
function instant(local: string | undefined): string | null {
  if (!local) return null;
  const parsed = new Date(local);
  return Number.isNaN(parsed.getTime()) ? local : parsed.toISOString();
}

export function Composer(props: ComposerProps) {
  const client = useClient();
  const [draft, setDraftState] = useState<Draft>(() => loadDraft(props.accountId));
  const [errors, setErrors] = useState<UserError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  // A second click before React re-renders must not send a second request.
  const sending = useRef(false);

  const setDraft = (change: Partial<Draft>) => {
    // Any change makes it another request: a new key on the next submit.
    const next = { ...draft, ...change, key: null };
    setDraftState(next);
    saveDraft(props.accountId, next);
    setDone(null);
  };
  const field = (name: string) => draft.fields[name] ?? '';
  const setField = (name: string, value: string) => setDraft({ fields: { ...draft.fields, [name]: value } });
  const errorAt = (name: string) => errors.filter((e) => fieldOf(e) === name);
  const general = errors.filter((e) => fieldOf(e) === null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (sending.current) return;
    const key = draft.key ?? newKey();
    const keyed = { ...draft, key };
    setDraftState(keyed);
    saveDraft(props.accountId, keyed);
    const missing = requiredMissing(keyed);
    if (missing.length) {
      setErrors(missing);
      return;
    }
    sending.current = true;
    setBusy(true);
    setFailure(null);
    const result = await send(keyed).finally(() => {
      sending.current = false;
    });
    setBusy(false);
    if (result === null) return;
    if ('failure' in result) {
      setFailure(result.failure);
      return;
    }
    setErrors([...result.userErrors]);
    if (result.entry && result.userErrors.length === 0) {
      props.onWritten(result.entry);
      dropDraft(props.accountId);
      setDraftState({ ...loadDraft(props.accountId), kind: keyed.kind });
      setDone(`${KINDS.find((k) => k.kind === keyed.kind)?.label} saved.`);
    }
  };

  const requiredMissing = (d: Draft): UserError[] => {
    const need = (name: string, message: string): UserError[] =>
      (d.fields[name] ?? '').trim() ? [] : [{ code: 'INVALID', message, field: ['input', name] }];
    switch (d.kind) {
      case 'news':
        return need('category', 'Choose what the news is about.');
      case 'promise':
        return [
          ...need('amount', 'Say how much was promised.'),
          ...need('currency', 'Choose the currency.'),
          ...need('promisedFor', 'Say by when.'),
        ];
      case 'dispute':
        return [
          ...need('reason', 'Choose a reason.'),
          ...(d.invoiceIds.length ? [] : [{ code: 'INVALID', message: 'Pick the disputed invoices.', field: ['input', 'invoiceIds'] }]),
        ];
      case 'followUp':
        return need('dueAt', 'Say when it is due.');
      default:
        return [];
    }
  };

  const send = async (d: Draft): Promise<Written | { failure: string } | null> => {
    const common = { accountId: props.accountId, idempotencyKey: d.key, summary: field('summary') };
    const visibility = d.restricted ? ('RESTRICTED' as const) : null;
    const body = optional(d.fields.body);
    let answer;
    switch (d.kind) {
      case 'note':
        answer = await client.mutation(LogNote, { input: { ...common, body, visibility } }).toPromise();
        return answer.error ? { failure: describe(answer.error) } : (answer.data?.logNote ?? null);
      case 'call':
      case 'email': {
        const outcome = optional(d.fields.outcome) as (typeof OUTCOMES)[number] | null;
        const direction = d.fields.direction === 'INBOUND' ? ('INBOUND' as const) : ('OUTBOUND' as const);
        const kind = d.kind === 'call' ? ('CALL' as const) : ('EMAIL' as const);
        const input = { ...common, kind, direction, outcome, body, visibility, contactId: optional(d.fields.contactId) };
        answer = await client.mutation(LogInteraction, { input }).toPromise();
        return answer.error ? { failure: describe(answer.error) } : (answer.data?.logInteraction ?? null);
      }
      case 'news': {
        const category = d.fields.category as (typeof CATEGORIES)[number];
        answer = await client.mutation(LogNews, { input: { ...common, category, body, visibility } }).toPromise();
        return answer.error ? { failure: describe(answer.error) } : (answer.data?.logNews ?? null);
      }
      case 'promise': {
        const input = {
          accountId: props.accountId,
          idempotencyKey: d.key,
          amount: field('amount').trim(),
          currency: field('currency'),
          promisedFor: field('promisedFor'),
          summary: optional(d.fields.summary),
          body,
          invoiceIds: d.invoiceIds.length ? d.invoiceIds : null,
          contactId: optional(d.fields.contactId),
        };
        answer = await client.mutation(RecordPromise, { input }).toPromise();
        return answer.error ? { failure: describe(answer.error) } : (answer.data?.recordPromise ?? null);
      }
      case 'dispute': {
        const input = {
          ...common,
          reason: d.fields.reason as (typeof REASONS)[number],
          amount: optional(d.fields.amount)?.trim() ?? null,
          body,
          invoiceIds: d.invoiceIds,
          contactId: optional(d.fields.contactId),
        };
        answer = await client.mutation(OpenDispute, { input }).toPromise();
        return answer.error ? { failure: describe(answer.error) } : (answer.data?.openDispute ?? null);
      }
      case 'followUp': {
        const input = { ...common, body, dueAt: instant(d.fields.dueAt) ?? '', contactId: optional(d.fields.contactId) };
        answer = await client.mutation(CreateFollowUp, { input }).toPromise();
        return answer.error ? { failure: describe(answer.error) } : (answer.data?.createFollowUp ?? null);
      }
    }
  };

  const k = draft.kind;
  return (
    <form className="composer" onSubmit={submit} noValidate aria-labelledby="composer-title">
      <h2 id="composer-title">Log</h2>
      <fieldset className="kinds">
        <legend>What to log</legend>
        {KINDS.map(({ kind, label }) => (
          <label key={kind} className={kind === k ? 'chosen' : undefined}>
            <input
              type="radio"
              name="kind"
              value={kind}
              checked={kind === k}
              onChange={() => {
                setErrors([]);
                setDraft({ kind });
              }}
            />
            {label}
          </label>
        ))}
      </fieldset>
      {(k === 'call' || k === 'email') && (
        <>
          <Field name="direction" label="Direction" errors={errorAt('direction')}>
            <select value={field('direction') || 'OUTBOUND'} onChange={(e) => setField('direction', e.target.value)}>
              <option value="OUTBOUND">We contacted them</option>
              <option value="INBOUND">They contacted us</option>
            </select>
          </Field>
          <Field name="outcome" label="Outcome" errors={errorAt('outcome')}>
            <select value={field('outcome')} onChange={(e) => setField('outcome', e.target.value)}>
              <option value="">Not said</option>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {words(o)}
                </option>
              ))}
            </select>
          </Field>
        </>
      )}
      {k === 'news' && (
        <Field name="category" label="Category" errors={errorAt('category')}>
          <select value={field('category')} onChange={(e) => setField('category', e.target.value)}>
            <option value="">Choose…</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {words(c)}
              </option>
            ))}
          </select>
        </Field>
      )}
      {k === 'promise' && (
        <div className="row">
          <Field name="amount" label="Amount" errors={errorAt('amount')}>
            <input inputMode="decimal" value={field('amount')} onChange={(e) => setField('amount', e.target.value)} />
          </Field>
          <Field name="currency" label="Currency" errors={errorAt('currency')}>
            <select value={field('currency')} onChange={(e) => setField('currency', e.target.value)}>
              <option value="">Choose…</option>
              {props.currencies.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </Field>
          <Field name="promisedFor" label="Promised for" errors={errorAt('promisedFor')}>
            <input type="date" value={field('promisedFor')} onChange={(e) => setField('promisedFor', e.target.value)} />
          </Field>
        </div>
      )}
      {k === 'dispute' && (
        <div className="row">
          <Field name="reason" label="Reason" errors={errorAt('reason')}>
            <select value={field('reason')} onChange={(e) => setField('reason', e.target.value)}>
              <option value="">Choose…</option>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {words(r)}
                </option>
              ))}
            </select>
          </Field>
          <Field name="amount" label="Amount disputed (optional)" errors={errorAt('amount')}>
            <input inputMode="decimal" value={field('amount')} onChange={(e) => setField('amount', e.target.value)} />
          </Field>
        </div>
      )}
      {(k === 'promise' || k === 'dispute') && props.invoices.length > 0 && (
        <fieldset className="invoices" aria-describedby={errorAt('invoiceIds').length ? 'composer-invoiceIds-error' : undefined}>
          <legend>Invoices{k === 'promise' ? ' (optional)' : ''}</legend>
          {props.invoices.map((invoice) => (
            <label key={invoice.id}>
              <input
                type="checkbox"
                checked={draft.invoiceIds.includes(invoice.id)}
                onChange={(e) =>
                  setDraft({
                    invoiceIds: e.target.checked
                      ? [...draft.invoiceIds, invoice.id]
                      : draft.invoiceIds.filter((id) => id !== invoice.id),
                  })
                }
              />
              {invoice.number} ({money(invoice.balance)})
            </label>
          ))}
          <Errors id="composer-invoiceIds-error" errors={errorAt('invoiceIds')} />
        </fieldset>
      )}
      {k === 'followUp' && (
        <Field name="dueAt" label="Due" errors={errorAt('dueAt')}>
          <input type="datetime-local" value={field('dueAt')} onChange={(e) => setField('dueAt', e.target.value)} />
        </Field>
      )}
      {k !== 'news' && props.contacts.length > 0 && (
        <Field name="contactId" label="Contact (optional)" errors={errorAt('contactId')}>
          <select value={field('contactId')} onChange={(e) => setField('contactId', e.target.value)}>
            <option value="">None</option>
            {props.contacts.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field name="summary" label={k === 'promise' ? 'Summary (optional)' : 'Summary'} errors={errorAt('summary')}>
        <input dir="auto" value={field('summary')} onChange={(e) => setField('summary', e.target.value)} />
      </Field>
      <Field name="body" label="Details (optional)" errors={errorAt('body')}>
        <textarea dir="auto" rows={4} value={field('body')} onChange={(e) => setField('body', e.target.value)} />
      </Field>
      {props.canRestrict && (k === 'note' || k === 'call' || k === 'email' || k === 'news') && (
        <label className="check">
          <input type="checkbox" checked={draft.restricted} onChange={(e) => setDraft({ restricted: e.target.checked })} />
          Restricted: only AR and ADMIN see it
        </label>
      )}
      <Errors id="composer-error" errors={general} />
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      {done && (
        <p className="done" role="status">
          {done}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}

function Field({
  name,
  label,
  errors,
  children,
}: {
  name: string;
  label: string;
  errors: UserError[];
  children: ReactElement<Record<string, unknown>>;
}) {
  const id = `composer-${name}`;
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, {
        id,
        name,
        'aria-invalid': errors.length ? true : undefined,
        'aria-describedby': errors.length ? errorId : undefined,
      })}
      <Errors id={errorId} errors={errors} />
    </div>
  );
}

function Errors({ id, errors }: { id: string; errors: UserError[] }) {
  if (errors.length === 0) return null;
  return (
    <p id={id} className="error">
      {errors.map((e) => e.message).join(' ')}
    </p>
  );
}
