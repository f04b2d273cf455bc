import { useState } from 'preact/hooks';
import { messageOf } from './messageOf.ts';

interface Props {
  title: string;
  hint: string;
  initialError: string | null;
  /** Tries the token on an authenticated route; throws when it is refused. */
  verify(token: string): Promise<unknown>;
  onSignIn(token: string): void;
}

/** Asks for the API token and tries it before keeping it. */
export function Login({ title, hint, initialError, verify, onSignIn }: Props) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (token.trim() === '') {
      setError('Enter the API token.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await verify(token.trim());
      onSignIn(token.trim());
    } catch (err) {
      setError(`Sign-in failed: ${messageOf(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="card" onSubmit={submit}>
        <h1>{title}</h1>
        <p class="muted">{hint}</p>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
