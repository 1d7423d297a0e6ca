import { useMemo } from 'react';
import { Provider, useQuery } from 'urql';
import { createApi, signOut, type Api } from './api';
import { ApiContext } from './apiContext';
import { graphql } from './graphql';
import { InboxProvider, useInbox } from './inbox';
import { AccountPage } from './pages/Account';
import { MyDayPage } from './pages/MyDay';
import { QueuePage } from './pages/Queue';
import { ReviewPage } from './pages/Review';
import { SearchPage } from './pages/Search';
import { SignInPage } from './pages/SignIn';
import { Link, RouteProvider, useRoute } from './router';
import { currentToken } from './session';
import { useStatus } from './status';

const Me = graphql(`
  query Me {
    me {
      id
      name
      email
      team
    }
  }
`);

export function App() {
  const status = useStatus();
  const token = currentToken();
  // A new client per session: nothing cached under one token is shown under another.
  const api: Api | null = useMemo(() => (token ? createApi(token) : null), [token, status.session]);
  if (!api) return <SignInPage reason={status.signedOutBecause} />;
  return (
    <ApiContext.Provider value={api}>
      <Provider value={api.client}>
        <RouteProvider>
          <InboxProvider>
            <Shell />
          </InboxProvider>
        </RouteProvider>
      </Provider>
    </ApiContext.Provider>
  );
}

function Shell() {
  const [me] = useQuery({ query: Me });
  const { apiDown } = useStatus();
  const { unread } = useInbox();
  const user = me.data?.me;
  return (
    <>
      <a className="skip" href="#main">
        Skip to the page
      </a>
      <header className="bar">
        <nav aria-label="Main">
          <Link to={{ page: 'myDay' }}>
            My day{unread ? <span className="count"> {unread} unread</span> : null}
          </Link>
          <Link to={{ page: 'queue' }}>Queue</Link>
          <Link to={{ page: 'search', query: '' }}>Search</Link>
          <Link to={{ page: 'review' }}>Messages to review</Link>
        </nav>
        <div className="who">
          {user && (
            <span>
              {user.name} <span className="team">{user.team}</span>
            </span>
          )}
          <button type="button" onClick={() => signOut(null)}>
            Sign out
          </button>
        </div>
      </header>
      {apiDown && (
        <div className="banner" role="alert">
          The API is not answering. What you typed is kept on this device; try again in a moment.{' '}
          <button type="button" onClick={() => window.location.reload()}>
            Retry now
          </button>
        </div>
      )}
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
    </>
  );
}

function Page() {
  const route = useRoute();
  switch (route.page) {
    case 'queue':
      return <QueuePage />;
    case 'account':
      return <AccountPage key={route.id} id={route.id} entry={route.entry} />;
    case 'search':
      return <SearchPage initial={route.query} />;
    case 'myDay':
      return <MyDayPage />;
    case 'review':
      return <ReviewPage />;
    case 'notFound':
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no such page. <Link to={{ page: 'queue' }}>Go to the queue</Link>.
          </p>
        </section>
      );
  }
}
