// Search as you type (typo-tolerant on the server), narrowed by facets, each hit a link to its place.
import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { words } from '../format';
import { graphql } from '../graphql';
import { Link, navigate, type Route } from '../router';

const Search = graphql(`
  query Search($query: String!, $filter: SearchFilter) {
    search(query: $query, filter: $filter, first: 20) {
      estimatedTotal
      facets {
        field
        values {
          value
          count
        }
      }
      hits {
        type
        highlight
        account {
          id
          name
        }
        entry {
          id
          kind
        }
        contact {
          name
        }
        invoice {
          number
        }
      }
    }
  }
`);

type Facets = Record<string, string[]>;
/** Facet fields as SearchFilter names them. */
const FILTER_NAMES: Record<string, 'types' | 'kinds' | 'teams' | 'tags'> = {
  type: 'types',
  kind: 'kinds',
  team: 'teams',
  tags: 'tags',
};
const DEBOUNCE_MS = 150;

/** The server's snippet (escaped text with <mark> around matches) as React nodes: no markup is parsed. */
function Highlight({ snippet }: { snippet: string }) {
  const unescape = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const parts = snippet.split(/(<mark>.*?<\/mark>)/g);
  return (
    <span dir="auto">
      {parts.map((part, index) =>
        part.startsWith('<mark>') ? <mark key={index}>{unescape(part.slice(6, -7))}</mark> : unescape(part),
      )}
    </span>
  );
}

export function SearchPage({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const [query, setQuery] = useState(initial.trim());
  const [facets, setFacets] = useState<Facets>({});
  useEffect(() => {
    const timer = window.setTimeout(() => {
      setQuery(text.trim());
      navigate({ page: 'search', query: text.trim() }, true);
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [text]);

  const filter = Object.fromEntries(
    Object.entries(facets)
      .filter(([, values]) => values.length > 0)
      .map(([field, values]) => [FILTER_NAMES[field], values]),
  );
  const [result] = useQuery({
    query: Search,
    variables: { query, filter: Object.keys(filter).length ? (filter as never) : null },
    pause: query === '',
    // What was not found a moment ago may be indexed now: every search asks the server.
    requestPolicy: 'network-only',
  });
  const search = result.data?.search;
  const toggle = (field: string, value: string) =>
    setFacets((old) => {
      const values = old[field] ?? [];
      return { ...old, [field]: values.includes(value) ? values.filter((v) => v !== value) : [...values, value] };
    });

  return (
    <section aria-labelledby="search-title" className="search">
      <h1 id="search-title">Search</h1>
      <form role="search" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="search-text">Search accounts, contacts, invoices and entries</label>
        <input id="search-text" type="search" dir="auto" value={text} onChange={(e) => setText(e.target.value)} autoFocus />
      </form>
      {search && (
        <div className="results">
          <div className="facets">
            {search.facets
              .filter((facet) => FILTER_NAMES[facet.field] && facet.values.length > 0)
              .map((facet) => (
                <fieldset key={facet.field}>
                  <legend>{words(facet.field)}</legend>
                  {facet.values.map((v) => (
                    <label key={v.value}>
                      <input
                        type="checkbox"
                        checked={(facets[facet.field] ?? []).includes(v.value)}
                        onChange={() => toggle(facet.field, v.value)}
                      />
                      {facet.field === 'tags' ? v.value : words(v.value)} ({v.count})
                    </label>
                  ))}
                </fieldset>
              ))}
          </div>
          <div>
            <p role="status">
              {search.estimatedTotal === 0 ? 'Nothing found.' : `About ${search.estimatedTotal} found.`}
            </p>
            <ol className="hits">
              {search.hits.map((hit, index) => {
                const to: Route = { page: 'account', id: hit.account.id, entry: hit.entry?.id ?? null };
                const what = hit.entry
                  ? words(hit.entry.kind)
                  : hit.invoice
                    ? `Invoice ${hit.invoice.number}`
                    : hit.contact
                      ? `Contact ${hit.contact.name}`
                      : 'Account';
                return (
                  <li key={index} className="card">
                    <Link to={to}>
                      {hit.account.name}: {what}
                    </Link>
                    <p>
                      <Highlight snippet={hit.highlight} />
                    </p>
                  </li>
                );
              })}
            </ol>
          </div>
        </div>
      )}
    </section>
  );
}
