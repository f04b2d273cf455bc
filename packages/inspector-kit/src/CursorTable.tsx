import type { ComponentChildren, VNode } from 'preact';
import { DataTable } from './DataTable.tsx';
import { ErrorAlert } from './ErrorAlert.tsx';
import type { CursorPages } from './useCursorPages.ts';

interface CursorTableProps<Row> {
  /** What useCursorPages loaded for the current filter. */
  pages: CursorPages<Row>;
  /** The filter fields, left of the Refresh button. */
  filters: ComponentChildren;
  testId: string;
  /** The header cells, one per column. */
  head: VNode[];
  /** Said in the table when the filter matches nothing. */
  empty: string;
  row: (row: Row) => VNode;
}

/**
 * A "Load more" view: filters and Refresh, the server's error, the table (it scrolls in its frame
 * and says when it is empty) and Load more while next_cursor is set.
 *
 * @example
 * <CursorTable pages={useCursorPages(path, progressOf)} filters={userFilter} testId="progress"
 *   head={head} empty="No progress recorded for this filter." row={progressRow} />
 */
export function CursorTable<Row>({ pages, filters, testId, head, empty, row }: CursorTableProps<Row>) {
  const { rows, nextCursor, error, load } = pages;
  return (
    <section>
      <div class="toolbar">
        {filters}
        <span class="spacer" />
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <ErrorAlert error={error} />
      {rows !== null && <DataTable testId={testId} head={head} rows={rows} empty={empty} row={row} />}
      {nextCursor !== null && (
        <button type="button" onClick={() => void load(nextCursor)}>
          Load more
        </button>
      )}
    </section>
  );
}
