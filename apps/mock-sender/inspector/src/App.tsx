import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiFetch } from './api.ts';
import { CheckView } from './CheckView.tsx';
import { DeliveriesView } from './DeliveriesView.tsx';
import { Login } from './Login.tsx';
import { SendView } from './SendView.tsx';
import type { TargetValue } from './TargetFields.tsx';
import { clearToken, readToken, saveToken } from './token.ts';
import { type Session, SessionContext } from './useApi.ts';

const useHash = () => {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
};

const TABS = [
  ['#/send', 'Send'],
  ['#/deliveries', 'Deliveries'],
  ['#/check', 'Check'],
] as const;

export function App() {
  const [token, setToken] = useState<string | null>(readToken);
  const [loginError, setLoginError] = useState<string | null>(null);
  const [target, setTarget] = useState<TargetValue>({ to: '', secret: '' });
  const [allowed, setAllowed] = useState<string[] | null>(null);
  const hash = useHash();

  const session = useMemo<Session | null>(
    () =>
      token === null
        ? null
        : {
            token,
            signOut: (message?: string) => {
              clearToken();
              setToken(null);
              setLoginError(message ?? null);
            },
          },
    [token],
  );

  // The allowed targets, once per session; the first one is the default target.
  useEffect(() => {
    if (token === null) return;
    apiFetch<{ allowed_targets: string[] | null }>(token, 'targets')
      .then(({ allowed_targets }) => {
        setAllowed(allowed_targets);
        const first = allowed_targets?.[0];
        if (first !== undefined) setTarget((t) => (t.to === '' ? { ...t, to: first } : t));
      })
      .catch(() => setAllowed(null));
  }, [token]);

  if (session === null) {
    return (
      <Login
        title="Mock sender"
        hint="Enter the service's token (SENDER_API_TOKEN). It is kept in this tab only."
        initialError={loginError}
        verify={(t) => apiFetch(t, 'deliveries?limit=1')}
        onSignIn={(t) => {
          saveToken(t);
          setLoginError(null);
          setToken(t);
        }}
      />
    );
  }

  const tab = TABS.find(([h]) => h === hash)?.[0] ?? '#/send';
  const targetProps = { target, allowed, onTarget: setTarget };
  return (
    <SessionContext.Provider value={session}>
      <header class="topbar">
        <strong class="brand">Mock sender</strong>
        <nav>
          {TABS.map(([h, label]) => (
            <a
              key={h}
              href={h}
              class={tab === h ? 'tab active' : 'tab'}
              aria-current={tab === h ? 'page' : undefined}
            >
              {label}
            </a>
          ))}
        </nav>
        <span class="spacer" />
        <button type="button" class="link" onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      <main class="content">
        {tab === '#/deliveries' ? (
          <DeliveriesView />
        ) : tab === '#/check' ? (
          <CheckView {...targetProps} />
        ) : (
          <SendView {...targetProps} />
        )}
      </main>
    </SessionContext.Provider>
  );
}
