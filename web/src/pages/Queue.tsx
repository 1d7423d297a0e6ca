// The collections queue: whom to call first and why, a page at a time as the list scrolls.
import { useClient } from 'urql';
import { money, whenIn, viewerZone, words } from '../format';
import { graphql } from '../graphql';
import { More, usePages } from '../pages';
import { Link } from '../router';

const Queue = graphql(`
  query Queue($after: String) {
    collectionsQueue(first: 25, after: $after) {
      edges {
        node {
          account {
            id
            name
          }
          priority
          overdue {
            amount
            currency
          }
          oldestDaysOverdue
          reachableNow
          nextReachableAt
          flags
          reasons
          suggestedContact {
            contact {
              name
            }
            channel
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

export function QueuePage() {
  const client = useClient();
  const pages = usePages(async (after) => {
    const result = await client.query(Queue, { after }, { requestPolicy: 'network-only' }).toPromise();
    const queue = result.data?.collectionsQueue;
    if (!queue) return null;
    return { items: queue.edges.map((edge) => edge.node), ...queue.pageInfo };
  }, [client]);

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Collections queue</h1>
      {pages.items.length === 0 && !pages.loading && !pages.failed && <p>Nobody owes anything overdue.</p>}
      <ol className="queue">
        {pages.items.map((item) => (
          <li key={item.account.id} className="card">
            <h2>
              <Link to={{ page: 'account', id: item.account.id, entry: null }}>{item.account.name}</Link>
            </h2>
            <p className="facts">
              <span>Priority {item.priority.toFixed(1)}</span>
              <span>Overdue {item.overdue.map(money).join(', ') || 'nothing'}</span>
              <span>Oldest {item.oldestDaysOverdue} days</span>
              <span className={item.reachableNow ? 'yes' : 'no'}>
                {item.reachableNow
                  ? 'Reachable now'
                  : item.nextReachableAt
                    ? `Reachable from ${whenIn(item.nextReachableAt, viewerZone())}`
                    : 'Not reachable'}
              </span>
            </p>
            {item.suggestedContact && (
              <p>
                Contact {item.suggestedContact.contact.name}
                {item.suggestedContact.channel && ` by ${words(item.suggestedContact.channel).toLowerCase()}`}
              </p>
            )}
            {item.flags.length > 0 && (
              <ul className="flags" aria-label="Flags">
                {item.flags.map((flag) => (
                  <li key={flag}>{words(flag)}</li>
                ))}
              </ul>
            )}
            <ul className="reasons">
              {item.reasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      <More pages={pages} what="accounts" />
    </section>
  );
}
