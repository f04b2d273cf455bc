import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { ApiClient } from './createApiClient.ts';
import { Login } from './Login.tsx';
import { tokenStore } from './tokenStore.ts';
import { type Session, SessionContext } from './useApi.ts';
import { useHash } from './useHash.ts';

/** A tab of the top bar: its hash route and its label. */
export type Tab = readonly [hash: string, label: string];

interface Props {
  /** The page's name: the login form's heading and the top bar's brand. */
  title: string;
  /** The page's server: its API, the token's setting, the route a token is tried on. */
  client: ApiClient;
  /** The top bar's tabs; the first is the default route. */
  tabs: readonly [Tab, ...Tab[]];
  /** The tab a hash that is no tab's own belongs to (a detail route under a tab), else undefined. */
  tabOf?: (hash: string) => string | undefined;
  /** The view for the route, drawn inside the session (useApi works in it). */
  children: (route: { tab: string; hash: string }) => ComponentChildren;
}

/**
 * An inspector page's frame: the login form until a token is accepted, then the top bar (brand,
 * tabs, Sign out) over the current route's view. A 401 mid-session comes back to the login form
 * with the server's words.
 *
 * @example
 * <InspectorShell title="Mock sender" client={client} tabs={[['#/send', 'Send']]}>
 *   {({ tab }) => <SendView />}
 * </InspectorShell>
 */
export function InspectorShell({ title, client, tabs, tabOf, children }: Props) {
  const tokens = useMemo(() => tokenStore(`${client.server}-inspector-token`), [client]);
  const [token, setToken] = useState<string | null>(tokens.read);
  const [loginError, setLoginError] = useState<string | null>(null);
  const hash = useHash();

  const session = useMemo<Session | null>(
    () =>
      token === null
        ? null
        : {
            token,
            client,
            signOut: (message?: string) => {
              tokens.clear();
              setToken(null);
              setLoginError(message ?? null);
            },
          },
    [token, client, tokens],
  );

  if (session === null) {
    return (
      <Login
        title={title}
        hint={`Enter the ${client.server}'s API token (${client.tokenSetting}). It is kept in this tab only.`}
        initialError={loginError}
        verify={(t) => client.fetch(t, client.tokenCheckPath)}
        onSignIn={(t) => {
          tokens.save(t);
          setLoginError(null);
          setToken(t);
        }}
      />
    );
  }

  const tab = tabOf?.(hash) ?? tabs.find(([h]) => h === hash)?.[0] ?? tabs[0][0];
  return (
    <SessionContext.Provider value={session}>
      <header class="topbar">
        <strong class="brand">{title}</strong>
        <nav>
          {tabs.map(([h, label]) => (
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
      <main class="content">{children({ tab, hash })}</main>
    </SessionContext.Provider>
  );
}
