// The loading behind the views that page with "Load more": the first page for the current filter,
// then each next page appended, following next_cursor.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from './messageOf.ts';
import { useApi } from './useApi.ts';

export interface CursorPages<Row, Page = unknown> {
  /** The rows loaded so far, or null before the first answer and after a failed one. */
  rows: Row[] | null;
  /** The last page answered (its fields beside the rows: a count, say), or null as `rows`. */
  lastPage: Page | null;
  nextCursor: string | null;
  error: string | null;
  /** Loads the first page again (no cursor), or appends the page at `cursor`. */
  load: (cursor?: string) => Promise<void>;
}

/**
 * Loads `path(undefined)` whenever `path` changes (a new filter), and `path(cursor)` on `load(cursor)`.
 * Pass a stable `path` (useCallback over the filter) and a module-level `rowsOf`.
 *
 * @example
 * const path = useCallback((cursor?: string) => `progress${query({ user_id: userId, cursor })}`, [userId]);
 * const pages = useCursorPages(path, (page: ProgressPage) => page.progress);
 */
export function useCursorPages<Page extends { next_cursor?: string | null }, Row>(
  path: (cursor: string | undefined) => string,
  rowsOf: (page: Page) => Row[],
): CursorPages<Row, Page> {
  const api = useApi();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [lastPage, setLastPage] = useState<Page | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Only the latest request may set the table (a late answer for an old filter is dropped).
  const latest = useRef(0);
  const load = useCallback(
    async (cursor?: string) => {
      const seq = ++latest.current;
      try {
        const page = await api<Page>(path(cursor));
        if (seq !== latest.current) return;
        setRows((before) => (cursor === undefined ? rowsOf(page) : [...(before ?? []), ...rowsOf(page)]));
        setLastPage(page);
        setNextCursor(page.next_cursor ?? null);
        setError(null);
      } catch (err) {
        if (seq !== latest.current) return;
        setRows(null);
        setLastPage(null);
        setError(messageOf(err));
      }
    },
    [api, path, rowsOf],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return { rows, lastPage, nextCursor, error, load };
}
