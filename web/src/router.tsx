// The console's routes are real paths under /app (the api answers index.html for every one of them),
// so a reload or a shared link opens the same page. Few routes, so no router library.
import { createContext, useContext, useEffect, useState, type MouseEvent, type ReactNode } from 'react';

const BASE = '/app';

export type Route =
  | { page: 'queue' }
  | { page: 'account'; id: string; entry: string | null }
  | { page: 'search'; query: string }
  | { page: 'myDay' }
  | { page: 'review' }
  | { page: 'notFound' };

export function parse(pathname: string, search: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const params = new URLSearchParams(search);
  if (path === '' || path === '/' || path === '/queue') return { page: 'queue' };
  const account = /^\/accounts\/([^/]+)$/.exec(path);
  if (account) return { page: 'account', id: decodeURIComponent(account[1]), entry: params.get('entry') };
  if (path === '/search') return { page: 'search', query: params.get('q') ?? '' };
  if (path === '/my-day') return { page: 'myDay' };
  if (path === '/review') return { page: 'review' };
  return { page: 'notFound' };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'queue':
      return `${BASE}/`;
    case 'account':
      return `${BASE}/accounts/${encodeURIComponent(route.id)}${route.entry ? `?entry=${encodeURIComponent(route.entry)}` : ''}`;
    case 'search':
      return `${BASE}/search${route.query ? `?q=${encodeURIComponent(route.query)}` : ''}`;
    case 'myDay':
      return `${BASE}/my-day`;
    case 'review':
      return `${BASE}/review`;
    case 'notFound':
      return `${BASE}/`;
  }
}

const RouteContext = createContext<Route>({ page: 'queue' });

function current(): Route {
  return parse(window.location.pathname, window.location.search);
}

export function navigate(route: Route, replace = false): void {
  const url = href(route);
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function RouteProvider({ children }: { children: ReactNode }) {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const changed = () => setRoute(current());
    window.addEventListener('popstate', changed);
    return () => window.removeEventListener('popstate', changed);
  }, []);
  return <RouteContext.Provider value={route}>{children}</RouteContext.Provider>;
}

export function useRoute(): Route {
  return useContext(RouteContext);
}

/** A real link (middle click, copy address) that navigates without a reload on a plain click. */
export function Link({ to, children, className }: { to: Route; children: ReactNode; className?: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={href(to)} onClick={onClick} className={className}>
      {children}
    </a>
  );
}
