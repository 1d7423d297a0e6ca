// The call brief: what a collector needs on screen before dialling.
import { money, viewerZone, when, whenIn, words } from '../format';
import { graphql, type ResultOf } from '../graphql';

export const BriefFields = graphql(`
  fragment BriefFields on CallBrief {
    flags
    whoToContact {
      contact {
        id
        name
        title
        email
        phone
        timeZone
      }
      channel
      reason
      reachability {
        reachable
        reason
        nextReachableAt
      }
    }
    receivables {
      currency
      open {
        amount
        currency
      }
      overdue {
        amount
        currency
      }
      disputed {
        amount
        currency
      }
      buckets {
        bucket
        amount {
          amount
          currency
        }
      }
    }
    openPromises {
      id
      summary
      amount {
        amount
        currency
      }
      promisedFor
    }
    brokenPromises {
      id
      summary
      amount {
        amount
        currency
      }
      promisedFor
    }
    openDisputes {
      id
      summary
      reason
    }
    recentNews {
      id
      summary
      category
      occurredAt
    }
    openFollowUps {
      id
      summary
      dueAt
    }
    preferences {
      key
      value
    }
  }
`);

type Brief = ResultOf<typeof BriefFields>;

const BUCKETS: Record<string, string> = {
  CURRENT: 'Not yet due',
  DAYS_1_30: '1–30 days overdue',
  DAYS_31_60: '31–60 days overdue',
  DAYS_61_90: '61–90 days overdue',
  DAYS_91_PLUS: 'Over 90 days overdue',
};

function Reachable({ suggestion }: { suggestion: Brief['whoToContact'][number] }) {
  const { reachable, reason, nextReachableAt } = suggestion.reachability;
  if (reachable) return <p className="yes">Reachable now: {reason}</p>;
  const theirs = suggestion.contact.timeZone;
  return (
    <p className="no">
      Not reachable now: {reason}
      {nextReachableAt && (
        <>
          {' '}
          Next at {whenIn(nextReachableAt, theirs)} their time ({theirs}), {whenIn(nextReachableAt, viewerZone())}{' '}
          yours.
        </>
      )}
    </p>
  );
}

export function BriefPanel({ brief }: { brief: Brief }) {
  return (
    <aside className="brief" aria-labelledby="brief-title">
      <h2 id="brief-title">Call brief</h2>
      {brief.flags.length > 0 && (
        <ul className="flags" aria-label="Flags">
          {brief.flags.map((flag) => (
            <li key={flag}>{words(flag)}</li>
          ))}
        </ul>
      )}
      <h3>Whom to contact</h3>
      {brief.whoToContact.length === 0 && <p>No contact to suggest.</p>}
      {brief.whoToContact.map((suggestion) => (
        <div key={suggestion.contact.id} className="contact">
          <p>
            <strong>{suggestion.contact.name}</strong>
            {suggestion.contact.title && `, ${suggestion.contact.title}`}
            {suggestion.channel && ` by ${words(suggestion.channel).toLowerCase()}`}
          </p>
          <p>{suggestion.reason}</p>
          {(suggestion.contact.phone || suggestion.contact.email) && (
            <p>{[suggestion.contact.phone, suggestion.contact.email].filter(Boolean).join(' · ')}</p>
          )}
          <Reachable suggestion={suggestion} />
        </div>
      ))}
      <h3>Owed</h3>
      {brief.receivables.length === 0 && <p>Nothing open.</p>}
      {brief.receivables.map((owed) => (
        <table key={owed.currency} className="owed">
          <caption>
            {owed.currency}: {money(owed.open)} open, {money(owed.overdue)} overdue
            {owed.disputed.amount !== '0' && owed.disputed.amount !== '0.00' && `, ${money(owed.disputed)} disputed`}
          </caption>
          <tbody>
            {owed.buckets.map((bucket) => (
              <tr key={bucket.bucket}>
                <th scope="row">{BUCKETS[bucket.bucket] ?? words(bucket.bucket)}</th>
                <td>{money(bucket.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      <List title="Broken promises" items={brief.brokenPromises.map((p) => `${money(p.amount)} for ${p.promisedFor}: ${p.summary}`)} />
      <List title="Open promises" items={brief.openPromises.map((p) => `${money(p.amount)} by ${p.promisedFor}: ${p.summary}`)} />
      <List title="Open disputes" items={brief.openDisputes.map((d) => `${words(d.reason)}: ${d.summary}`)} />
      <List title="News" items={brief.recentNews.map((n) => `${words(n.category)} (${when(n.occurredAt)}): ${n.summary}`)} />
      <List title="Open follow-ups" items={brief.openFollowUps.map((f) => `${when(f.dueAt)}: ${f.summary}`)} />
      <List title="Preferences" items={brief.preferences.map((p) => `${p.key}: ${p.value}`)} />
    </aside>
  );
}

function List({ title, items }: { title: string; items: string[] }) {
  if (items.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <ul>
        {items.map((item, index) => (
          <li key={index} dir="auto">
            {item}
          </li>
        ))}
      </ul>
    </>
  );
}
