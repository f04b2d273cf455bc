import { createContext } from 'preact';
import { useContext, useMemo } from 'preact/hooks';
import { ApiError, apiFetch } from './api.ts';

export interface Session {
  token: string;
  /** Called when the receiver refuses the token mid-session: back to the login form. */
  signOut(message?: string): void;
}

export const SessionContext = createContext<Session | null>(null);

/** apiFetch with the session's token; a 401 ends the session instead of showing stale data. */
export function useApi() {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useApi outside a session');
  // Stable for the session, so effects that depend on it do not re-run on every render.
  return useMemo(
    () =>
      async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
        try {
          return await apiFetch<T>(session.token, path, init);
        } catch (error) {
          if (error instanceof ApiError && error.status === 401)
            session.signOut(`The sender refused the token: ${error.message}`);
          throw error;
        }
      },
    [session],
  );
}

export const messageOf = (error: unknown): string =>
  error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
