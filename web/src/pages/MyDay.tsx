// My day: the follow-ups due for me (the worklist) and my inbox, whose unread count is live.
import { useClient } from 'urql';
import { when, whenIn, viewerZone, words } from '../format';
import { graphql } from '../graphql';
import { useInbox } from '../inbox';
import { More, usePages } from '../pages';
import { Link } from '../router';

const Worklist = graphql(`
  query Worklist($after: String) {
    worklist(first: 25, after: $after) {
      edges {
        node {
          followUp {
            id
            summary
            dueAt
          }
          account {
            id
            name
          }
          contact {
            name
          }
          overdue
          reachableNow
          nextReachableAt
          reasons
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const Inbox = graphql(`
  query InboxPage($after: String) {
    inbox(first: 25, after: $after) {
      unreadCount
      edges {
        node {
          id
          reason
          createdAt
          readAt
          account {
            id
            name
          }
          entry {
            id
            kind
            summary
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

const MarkRead = graphql(`
  mutation MarkRead($ids: [ID!], $all: Boolean) {
    markInboxRead(ids: $ids, all: $all) {
      unreadCount
      userErrors {
        message
      }
    }
  }
`);

const Complete = graphql(`
  mutation CompleteFollowUp($id: ID!) {
    completeFollowUp(id: $id) {
      entry {
        id
      }
      userErrors {
        message
      }
    }
  }
`);

export function MyDayPage() {
  const client = useClient();
  const { unread, setUnread, arrivals } = useInbox();
  const work = usePages(async (after) => {
    const result = await client.query(Worklist, { after }, { requestPolicy: 'network-only' }).toPromise();
    const list = result.data?.worklist;
    return list ? { items: list.edges.map((e) => e.node), ...list.pageInfo } : null;
  }, [client]);
  const inbox = usePages(async (after) => {
    const result = await client.query(Inbox, { after }, { requestPolicy: 'network-only' }).toPromise();
    const list = result.data?.inbox;
    return list ? { items: list.edges.map((e) => e.node), ...list.pageInfo } : null;
  }, [client, arrivals]);

  const markRead = async (ids: string[] | null) => {
    const result = await client.mutation(MarkRead, ids ? { ids } : { all: true }).toPromise();
    const payload = result.data?.markInboxRead;
    if (!payload) return;
    setUnread(payload.unreadCount);
    const now = new Date().toISOString();
    inbox.setItems((items) => items.map((item) => (ids === null || ids.includes(item.id) ? { ...item, readAt: item.readAt ?? now } : item)));
  };

  const complete = async (id: string) => {
    const result = await client.mutation(Complete, { id }).toPromise();
    if (result.data?.completeFollowUp.entry) work.setItems((items) => items.filter((item) => item.followUp.id !== id));
  };

  return (
    <div className="myday">
      <h1>My day</h1>
      <section aria-labelledby="worklist-title">
        <h2 id="worklist-title">Follow-ups due</h2>
        {!work.loading && work.items.length === 0 && <p>Nothing due today.</p>}
        <ol className="queue">
          {work.items.map((item) => (
            <li key={item.followUp.id} className="card">
              <h3>
                <Link to={{ page: 'account', id: item.account.id, entry: item.followUp.id }}>{item.account.name}</Link>
              </h3>
              <p dir="auto">{item.followUp.summary}</p>
              <p className="facts">
                <span className={item.overdue ? 'no' : undefined}>
                  {item.overdue ? 'Overdue since' : 'Due'} {when(item.followUp.dueAt)}
                </span>
                {item.contact && <span>Contact {item.contact.name}</span>}
                <span className={item.reachableNow ? 'yes' : 'no'}>
                  {item.reachableNow
                    ? 'Reachable now'
                    : item.nextReachableAt
                      ? `Reachable from ${whenIn(item.nextReachableAt, viewerZone())}`
                      : 'Not reachable'}
                </span>
              </p>
              <ul className="reasons">
                {item.reasons.map((reason) => (
                  <li key={reason}>{reason}</li>
                ))}
              </ul>
              <button type="button" onClick={() => complete(item.followUp.id)}>
                Done
              </button>
            </li>
          ))}
        </ol>
        <More pages={work} what="follow-ups" />
      </section>
      <section aria-labelledby="inbox-title">
        <h2 id="inbox-title">
          Inbox <span className="count">{unread ?? '…'} unread</span>
        </h2>
        {unread !== null && unread > 0 && (
          <button type="button" onClick={() => markRead(null)}>
            Mark all read
          </button>
        )}
        {!inbox.loading && inbox.items.length === 0 && <p>Your inbox is empty.</p>}
        <ol className="inbox">
          {inbox.items.map((item) => (
            <li key={item.id} className={`card${item.readAt ? '' : ' unread'}`}>
              <p className="meta">
                {words(item.reason)} · {when(item.createdAt)}
                {!item.readAt && ' · unread'}
              </p>
              <Link to={{ page: 'account', id: item.account.id, entry: item.entry.id }}>
                {item.account.name}: {words(item.entry.kind)}
              </Link>
              <p dir="auto">{item.entry.summary}</p>
              {!item.readAt && (
                <button type="button" onClick={() => markRead([item.id])}>
                  Mark read
                </button>
              )}
            </li>
          ))}
        </ol>
        <More pages={inbox} what="inbox items" />
      </section>
    </div>
  );
}
