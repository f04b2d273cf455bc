export interface TokenStore {
  read(): string | null;
  save(token: string): void;
  clear(): void;
}

/**
 * Where a page keeps its API token: sessionStorage, so it survives a reload, not the closing of the tab.
 *
 * @example const tokens = tokenStore('receiver-inspector-token');
 */
export const tokenStore = (key: string): TokenStore => ({
  read: () => window.sessionStorage.getItem(key),
  save: (token) => window.sessionStorage.setItem(key, token),
  clear: () => window.sessionStorage.removeItem(key),
});
