// An account: the call brief beside the timeline, which arrives live as others write, and the composer.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { checkSession } from '../api';
import { EntryFields, FILTERS, type Entry, type Kind } from '../entries';
import { graphql } from '../graphql';
import { More, usePages } from '../pages';
import { BriefPanel, BriefFields } from './Brief';
import { Composer } from './Composer';
import { EntryCard } from './EntryCard';

const AccountQuery = graphql(
  `
    query AccountPage($id: ID!) {
      me {
        team
      }
      account(id: $id) {
        id
        name
        contacts {
          id
          name
        }
        receivables {
          currency
        }
        invoices(first: 50, filter: { status: [OPEN, PARTIALLY_PAID, DISPUTED] }) {
          edges {
            node {
              id
              number
              balance {
                amount
                currency
              }
            }
          }
        }
        pinned {
          ...EntryFields
        }
        callBrief {
          ...BriefFields
        }
      }
    }
  `,
  [EntryFields, BriefFields],
);

const TimelineQuery = graphql(
  `
    query TimelinePage($id: ID!, $after: String, $kinds: [EntryKind!]) {
      account(id: $id) {
        timeline(first: 50, after: $after, filter: { kinds: $kinds }) {
          edges {
            node {
              ...EntryFields
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  `,
  [EntryFields],
);

const LiveTimeline = graphql(
  `
    subscription LiveTimeline($id: ID!, $after: String) {
      timeline(accountId: $id, after: $after) {
        ...EntryFields
        eventCursor
      }
    }
  `,
  [EntryFields],
);

const OneEntry = graphql(
  `
    query OneEntry($id: ID!) {
      node(id: $id) {
        ...EntryFields
      }
    }
  `,
  [EntryFields],
);

/** Follows the account's timeline over the websocket; after a drop it resumes from the last event it got. */
function useLiveTimeline(accountId: string, enabled: boolean, onEntry: (entry: Entry) => void): boolean {
  const client = useClient();
  const [live, setLive] = useState(false);
  const latest = useRef(onEntry);
  latest.current = onEntry;
  useEffect(() => {
    if (!enabled) return;
    let cursor: string | null = null;
    let stopped = false;
    let retry: number | undefined;
    let stop = () => {};
    const start = () => {
      const { unsubscribe } = client.subscription(LiveTimeline, { id: accountId, after: cursor }).subscribe((result) => {
        if (result.error) {
          setLive(false);
          unsubscribe();
          checkSession(client);
          if (!stopped) retry = window.setTimeout(start, 2000);
          return;
        }
        setLive(true);
        const entry = result.data?.timeline;
        if (entry) {
          cursor = entry.eventCursor ?? cursor;
          latest.current(entry);
        }
      });
      stop = unsubscribe;
      setLive(true);
    };
    start();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      stop();
    };
  }, [client, accountId, enabled]);
  return live;
}

export function AccountPage({ id, entry }: { id: string; entry: string | null }) {
  const client = useClient();
  const [account, refetchAccount] = useQuery({ query: AccountQuery, variables: { id } });
  const [filter, setFilter] = useState<readonly Kind[] | null>(null);
  const [found] = useQuery({ query: OneEntry, variables: { id: entry ?? '' }, pause: !entry });

  const pages = usePages(async (after) => {
    const result = await client
      .query(TimelineQuery, { id, after, kinds: filter ? [...filter] : null }, { requestPolicy: 'network-only' })
      .toPromise();
    const timeline = result.data?.account?.timeline;
    if (!timeline) return null;
    return { items: timeline.edges.map((edge) => edge.node), ...timeline.pageInfo };
  }, [client, id, filter]);

  const merge = useCallback(
    (incoming: Entry) => {
      pages.setItems((items) => {
        const at = items.findIndex((e) => e.id === incoming.id);
        if (at >= 0) {
          if (items[at].revision > incoming.revision) return items;
          return items.map((e, i) => (i === at ? incoming : e));
        }
        if (filter && !filter.includes(incoming.kind as Kind)) return items;
        return [incoming, ...items];
      });
      refetchAccount({ requestPolicy: 'network-only' });
    },
    [filter, refetchAccount],
  );
  const live = useLiveTimeline(id, Boolean(account.data?.account), merge);

  if (account.error && !account.data) return <p role="alert">Could not load this account. {account.error.message}</p>;
  const data = account.data;
  if (!data) return <p role="status">Loading…</p>;
  if (!data.account) {
    return (
      <section>
        <h1>No such account</h1>
        <p>There is no account with this id that you may see.</p>
      </section>
    );
  }
  const a = data.account;
  const pinnedIds = new Set(a.pinned.map((e) => e.id));
  const canRestrict = data.me.team === 'AR' || data.me.team === 'ADMIN';
  const highlighted = found.data?.node && 'kind' in found.data.node ? (found.data.node as Entry) : null;

  return (
    <div className="account">
      <h1>{a.name}</h1>
      <BriefPanel brief={a.callBrief} />
      <section className="timeline" aria-labelledby="timeline-title">
        <Composer
          accountId={a.id}
          canRestrict={canRestrict}
          contacts={a.contacts}
          invoices={a.invoices.edges.map((edge) => edge.node)}
          currencies={a.receivables.map((r) => r.currency)}
          onWritten={merge}
        />
        <h2 id="timeline-title">
          Timeline <span className={live ? 'live on' : 'live'}>{live ? 'live' : 'reconnecting'}</span>
        </h2>
        <fieldset className="filters">
          <legend>Show</legend>
          <button type="button" aria-pressed={filter === null} onClick={() => setFilter(null)}>
            Everything
          </button>
          {FILTERS.map((f) => (
            <button
              key={f.label}
              type="button"
              aria-pressed={filter !== null && filter[0] === f.kinds[0]}
              onClick={() => setFilter(f.kinds)}
            >
              {f.label}
            </button>
          ))}
        </fieldset>
        {highlighted && (
          <div className="found">
            <h3>From your search</h3>
            <EntryCard entry={highlighted} onChanged={merge} focus />
          </div>
        )}
        {a.pinned.length > 0 && filter === null && (
          <div className="pinned">
            <h3>Pinned</h3>
            {a.pinned.map((e) => (
              <EntryCard key={e.id} entry={e} onChanged={merge} />
            ))}
          </div>
        )}
        <div className="entries" aria-live="polite">
          {pages.items
            .filter((e) => filter !== null || !pinnedIds.has(e.id))
            .map((e) => (
              <EntryCard key={e.id} entry={e} onChanged={merge} />
            ))}
        </div>
        {!pages.loading && pages.items.length === 0 && <p>Nothing here yet.</p>}
        <More pages={pages} what="entries" />
      </section>
    </div>
  );
}
