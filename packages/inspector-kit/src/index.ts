// The inspector pages' shared pieces. Source only: each page's Vite build bundles what it imports;
// the Vite config factory is at `@webhook-contracts/inspector-kit/vite`, the styles at
// `/inspector.css` and `/untrusted.css`.
export { ApiError } from './ApiError.ts';
export { Clipped } from './Clipped.tsx';
export { CursorTable } from './CursorTable.tsx';
export { type ApiClient, type ApiClientOptions, type ApiInit, createApiClient } from './createApiClient.ts';
export { DataTable } from './DataTable.tsx';
export { ErrorAlert } from './ErrorAlert.tsx';
export { formatTime } from './formatTime.ts';
export { InspectorShell, type Tab } from './InspectorShell.tsx';
export { Login } from './Login.tsx';
export { messageOf } from './messageOf.ts';
export { query } from './query.ts';
export { StatusBadge } from './StatusBadge.tsx';
export { type Session, SessionContext, useApi } from './useApi.ts';
export { type CursorPages, useCursorPages } from './useCursorPages.ts';
export { useHash } from './useHash.ts';
export { useRefresh } from './useRefresh.ts';
export {
  clip,
  codePointName,
  countCharacters,
  formatCount,
  plainVisible,
  splitInvisible,
} from './visibleText.ts';
