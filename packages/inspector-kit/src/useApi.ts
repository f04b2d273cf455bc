import { createContext } from 'preact';
import { useContext, useMemo } from 'preact/hooks';
import { ApiError } from './ApiError.ts';
import type { ApiClient, ApiInit } from './createApiClient.ts';

export interface Session {
  token: string;
  client: ApiClient;
  /** Called when the server refuses the token mid-session: back to the login form. */
  signOut(message?: string): void;
}

export const SessionContext = createContext<Session | null>(null);

/**
 * The session's client with its token; a 401 ends the session instead of showing stale data.
 *
 * @example
 * const api = useApi();
 * const page = await api<EventPage>('events?limit=25');
 */
export function useApi() {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useApi outside a session');
  // Stable for the session, so effects that depend on it do not re-run on every render.
  return useMemo(
    () =>
      async <T>(path: string, init: ApiInit = {}): Promise<T> => {
        try {
          return await session.client.fetch<T>(session.token, path, init);
        } catch (error) {
          if (error instanceof ApiError && error.status === 401)
            session.signOut(`The ${session.client.server} refused the token: ${error.message}`);
          throw error;
        }
      },
    [session],
  );
}
