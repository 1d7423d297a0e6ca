// The caller's unread inbox count, shown in the navigation on every page and kept live by
// Subscription.inbox; My day reads and changes it.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useClient } from 'urql';
import { checkSession } from './api';
import { graphql } from './graphql';

const Unread = graphql(`
  query Unread {
    inbox(first: 1, unreadOnly: true) {
      unreadCount
    }
  }
`);

export const InboxArrivals = graphql(`
  subscription InboxArrivals($after: String) {
    inbox(after: $after) {
      id
      eventCursor
    }
  }
`);

interface Inbox {
  unread: number | null;
  setUnread: (count: number) => void;
  /** Bumped for every item that arrives live: My day lists it afresh. */
  arrivals: number;
}

const InboxContext = createContext<Inbox>({ unread: null, setUnread: () => {}, arrivals: 0 });

export function InboxProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const [unread, setUnread] = useState<number | null>(null);
  const [arrivals, setArrivals] = useState(0);
  useEffect(() => {
    let cursor: string | null = null;
    let stopped = false;
    let retry: number | undefined;
    let stop = () => {};
    const refresh = () =>
      client
        .query(Unread, {}, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          if (!stopped && result.data) setUnread(result.data.inbox.unreadCount);
        });
    const start = () => {
      const { unsubscribe } = client.subscription(InboxArrivals, { after: cursor }).subscribe((result) => {
        if (result.error) {
          unsubscribe();
          checkSession(client);
          if (!stopped) retry = window.setTimeout(start, 2000);
          return;
        }
        const item = result.data?.inbox;
        if (item) {
          cursor = item.eventCursor ?? cursor;
          setArrivals((n) => n + 1);
          void refresh();
        }
      });
      stop = unsubscribe;
    };
    void refresh();
    start();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      stop();
    };
  }, [client]);
  return <InboxContext.Provider value={{ unread, setUnread, arrivals }}>{children}</InboxContext.Provider>;
}

export function useInbox(): Inbox {
  return useContext(InboxContext);
}
