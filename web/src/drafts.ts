// A half-typed entry survives a reload, a crash or the API being down: it is kept in localStorage per
// account until the server has written it. Only the draft's own words are kept, never the token.

export type ComposerKind = 'note' | 'call' | 'email' | 'news' | 'promise' | 'dispute' | 'followUp';

export interface Draft {
  kind: ComposerKind;
  fields: Record<string, string>;
  invoiceIds: string[];
  restricted: boolean;
  /** The idempotency key of the last submit of exactly this draft: a retry sends it again. */
  key: string | null;
}

export const EMPTY: Draft = { kind: 'note', fields: {}, invoiceIds: [], restricted: false, key: null };

const prefix = 'rapport.draft.';

export function loadDraft(accountId: string): Draft {
  try {
    const saved = localStorage.getItem(prefix + accountId);
    return saved ? { ...EMPTY, ...(JSON.parse(saved) as Partial<Draft>) } : EMPTY;
  } catch {
    return EMPTY;
  }
}

export function saveDraft(accountId: string, draft: Draft): void {
  try {
    localStorage.setItem(prefix + accountId, JSON.stringify(draft));
  } catch {
    // Storage full or refused: the draft still lives in the page.
  }
}

export function dropDraft(accountId: string): void {
  localStorage.removeItem(prefix + accountId);
}
