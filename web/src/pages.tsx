// Lists that page on scroll: the next page is asked for when the end of the list comes into view,
// and a "Show more" button does the same for keyboards and screen readers.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Page<T> {
  items: T[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface Pages<T> {
  items: T[];
  loading: boolean;
  failed: boolean;
  hasNextPage: boolean;
  more: () => void;
  reset: () => void;
  setItems: (change: (items: T[]) => T[]) => void;
}

export function usePages<T>(load: (after: string | null) => Promise<Page<T> | null>, deps: unknown[]): Pages<T> {
  const [items, setItemsState] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasNextPage, setHasNextPage] = useState(true);
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState(false);
  const generation = useRef(0);
  const busy = useRef(false);

  const fetchPage = useCallback(
    async (after: string | null, replace: boolean) => {
      if (busy.current && !replace) return;
      busy.current = true;
      const mine = ++generation.current;
      setLoading(true);
      const page = await load(after);
      if (mine !== generation.current) return;
      busy.current = false;
      setLoading(false);
      if (!page) {
        setFailed(true);
        return;
      }
      setFailed(false);
      setItemsState((old) => (replace ? page.items : [...old, ...page.items]));
      setCursor(page.endCursor);
      setHasNextPage(page.hasNextPage);
    },
    deps,
  );

  useEffect(() => {
    void fetchPage(null, true);
  }, [fetchPage]);

  return {
    items,
    loading,
    failed,
    hasNextPage,
    more: () => {
      if (hasNextPage && !loading) void fetchPage(cursor, false);
    },
    reset: () => void fetchPage(null, true),
    setItems: setItemsState,
  };
}

/** The end of a paged list: loads more when it scrolls into view, or when its button is pressed. */
export function More({ pages, what }: { pages: Pick<Pages<unknown>, 'more' | 'hasNextPage' | 'loading' | 'failed'>; what: string }) {
  const marker = useRef<HTMLDivElement>(null);
  const { more, hasNextPage, loading, failed } = pages;
  useEffect(() => {
    const element = marker.current;
    if (!element || !hasNextPage || failed) return;
    const observer = new IntersectionObserver((seen) => {
      if (seen.some((entry) => entry.isIntersecting)) more();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [more, hasNextPage, failed]);
  if (!hasNextPage && !loading) return null;
  return (
    <div ref={marker} className="more">
      {loading ? (
        <p role="status">Loading {what}…</p>
      ) : (
        <button type="button" onClick={more}>
          {failed ? `Could not load ${what}: try again` : `Show more ${what}`}
        </button>
      )}
    </div>
  );
}
