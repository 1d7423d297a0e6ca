// What the whole app must know about the API at once: whether it answers, and why a session ended.
import { useSyncExternalStore } from 'react';

export interface Status {
  /** The API did not answer the last request (network error or 5xx); pages keep what they show. */
  apiDown: boolean;
  /** Set when the server refused the token: the sign-in page shows it. */
  signedOutBecause: string | null;
  /** Bumped on sign-in and sign-out so that every query starts afresh with the new token. */
  session: number;
}

let status: Status = { apiDown: false, signedOutBecause: null, session: 0 };
const listeners = new Set<() => void>();

export function setStatus(change: Partial<Status>): void {
  const next = { ...status, ...change };
  if (Object.entries(change).every(([key, value]) => status[key as keyof Status] === value)) return;
  status = next;
  listeners.forEach((listener) => listener());
}

export function getStatus(): Status {
  return status;
}

export function useStatus(): Status {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => status,
  );
}
