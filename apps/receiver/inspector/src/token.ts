// The read-API token lives in sessionStorage: it survives a reload, not the closing of the tab.
const KEY = 'receiver-inspector-token';

export const readToken = (): string | null => window.sessionStorage.getItem(KEY);
export const saveToken = (token: string): void => window.sessionStorage.setItem(KEY, token);
export const clearToken = (): void => window.sessionStorage.removeItem(KEY);
