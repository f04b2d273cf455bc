import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiFetch } from './api.ts';
import { CountersView } from './CountersView.tsx';
import { EventDetail } from './EventDetail.tsx';
import { EventsView } from './EventsView.tsx';
import { Login } from './Login.tsx';
import { MembershipsView } from './MembershipsView.tsx';
import { ProgressView } from './ProgressView.tsx';
import { clearToken, readToken, saveToken } from './token.ts';
import { type Session, SessionContext } from './useApi.ts';
import { ViewBoundary } from './ViewBoundary.tsx';

const useHash = () => {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
};

/** The event id of a `#/events/<id>` hash, or null (also for a malformed escape in it). */
function eventIdOf(hash: string): string | null {
  const match = /^#\/events\/(.+)$/.exec(hash);
  if (match === null) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1]!;
  }
}

const TABS = [
  ['#/events', 'Events'],
  ['#/progress', 'Progress'],
  ['#/memberships', 'Memberships'],
  ['#/counters', 'Counters'],
] as const;

export function App() {
  const [token, setToken] = useState<string | null>(readToken);
  const [loginError, setLoginError] = useState<string | null>(null);
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

  if (session === null) {
    return (
      <Login
        title="Receiver inspector"
        hint="Enter the receiver's read-API token (RECEIVER_API_TOKEN). It is kept in this tab only."
        initialError={loginError}
        verify={(t) => apiFetch(t, 'events?limit=1')}
        onSignIn={(t) => {
          saveToken(t);
          setLoginError(null);
          setToken(t);
        }}
      />
    );
  }

  const id = eventIdOf(hash);
  const tab = id !== null ? '#/events' : (TABS.find(([h]) => h === hash)?.[0] ?? '#/events');
  return (
    <SessionContext.Provider value={session}>
      <header class="topbar">
        <strong class="brand">Receiver inspector</strong>
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
        {id !== null ? (
          // Keyed by the event: nothing of one event's view (state, a failure) outlives it.
          <ViewBoundary key={`event ${id}`} view="event view" subject={id}>
            <EventDetail key={id} id={id} />
          </ViewBoundary>
        ) : tab === '#/progress' ? (
          <ViewBoundary key="progress" view="progress view">
            <ProgressView />
          </ViewBoundary>
        ) : tab === '#/memberships' ? (
          <ViewBoundary key="memberships" view="memberships view">
            <MembershipsView />
          </ViewBoundary>
        ) : tab === '#/counters' ? (
          <ViewBoundary key="counters" view="counters view">
            <CountersView />
          </ViewBoundary>
        ) : (
          <ViewBoundary key="events" view="events view">
            <EventsView />
          </ViewBoundary>
        )}
      </main>
    </SessionContext.Provider>
  );
}
