/** Sign-in screen: the user pastes an API key, which is checked against /v1/me before it is kept. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { errorMessage, fetchMe } from '../api/client.js';
import type { Me } from '../api/types.js';
import { setApiKey } from './session.js';

/** Full-page sign-in form; calls onSignedIn with the identity once the key works. */
export function SignIn({ onSignedIn, reason }: { onSignedIn: (me: Me) => void; reason: string | null }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (key.trim() === '') {
      setError('Enter your API key.');
      return;
    }
    setBusy(true);
    setError(null);
    setApiKey(key.trim());
    try {
      onSignedIn(await fetchMe());
    } catch (err) {
      setApiKey(null);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-h">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Lightpath
        </div>
        <h1 id="signin-h">Sign in</h1>
        {reason !== null && <p className="muted">{reason}</p>}
        <label htmlFor="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="current-password" value={key} onChange={(e) => setKey(e.target.value)} aria-describedby="api-key-help" aria-invalid={error !== null} />
        <p id="api-key-help" className="muted small">
          Your operator or customer key. It is kept only for this browser tab.
        </p>
        {error !== null && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
