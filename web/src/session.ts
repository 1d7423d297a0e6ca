// The signed-in token lives in this tab's sessionStorage only: never in localStorage, a cookie or a URL.
// `make run` prints a sign-in link with the token in the fragment (/app/#token=...): a fragment never
// reaches a server or a Referer, and the app takes it out of the address bar before anything renders,
// so it is not left in the history either.

const KEY = 'rapport.token';
const FRAGMENT = /^#token=([^&]+)$/;

/** Moves a sign-in link's token into this tab's session; true when there was one. */
export function takeTokenFromAddress(): boolean {
  const found = FRAGMENT.exec(window.location.hash);
  if (!found) return false;
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  sessionStorage.setItem(KEY, decodeURIComponent(found[1]));
  return true;
}

export function currentToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function keepToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
