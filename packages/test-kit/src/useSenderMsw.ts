// msw for the tests of one file that drive the mock sender in-process: msw intercepts fetch, not
// the sender's own sockets, so the sender is put on its fetch transport while the file runs and
// back on its network transport after. Unhandled requests fail the test, handlers reset after each test.
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** The mock sender's transport switch (its `useHttpTransport`), passed in: test-kit imports no app. */
export type SelectHttpTransport = (transport: 'fetch' | 'network') => void;

/**
 * Registers the file's hooks and returns its msw server; call at the top level of a test file.
 *
 * @example
 * const server = useSenderMsw(useHttpTransport);
 * it('posts one delivery', async () => {
 *   server.use(http.post(TARGET, () => HttpResponse.json({ status: 'accepted' })));
 *   // … send(…) …
 * });
 */
export function useSenderMsw(selectTransport: SelectHttpTransport): SetupServer {
  const server = setupServer();
  beforeAll(() => {
    selectTransport('fetch');
    server.listen({ onUnhandledRequest: 'error' });
  });
  afterEach(() => server.resetHandlers());
  afterAll(() => {
    server.close();
    selectTransport('network');
  });
  return server;
}
