// Signing in checks the pasted token with one request before keeping it for this tab.
import { useState, type FormEvent } from 'react';
import { keepToken } from '../session';
import { getStatus, setStatus } from '../status';

type Check = 'ok' | 'refused' | 'unanswered';

async function check(token: string): Promise<Check> {
  try {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    if (response.status >= 500) return 'unanswered';
    const body = await response.json();
    return body?.data?.me ? 'ok' : 'refused';
  } catch {
    return 'unanswered';
  }
}

export function SignInPage({ reason }: { reason: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Paste a token first.');
      return;
    }
    setBusy(true);
    const found = await check(value);
    setBusy(false);
    if (found === 'ok') {
      keepToken(value);
      setStatus({ signedOutBecause: null, session: getStatus().session + 1 });
    } else {
      setError(
        found === 'refused'
          ? 'The server does not accept this token: it is unknown, revoked or expired.'
          : 'The API is not answering; try again in a moment.',
      );
    }
  };

  return (
    <main id="main" className="signin">
      <h1>Sign in to Rapport</h1>
      {reason && (
        <p className="notice" role="alert">
          {reason}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'token-error token-help' : 'token-help'}
        />
        <p id="token-help" className="help">
          The token <code>make run</code> printed, or one from <code>rapport tokens issue EMAIL</code>. It is kept
          for this tab only.
        </p>
        {error && (
          <p id="token-error" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
