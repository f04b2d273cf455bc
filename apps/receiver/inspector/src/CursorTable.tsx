import type { ComponentChildren, VNode } from 'preact';
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
 * A "Load more" view (Progress, Memberships): filters and Refresh, the receiver's error, the table
 * (it scrolls in its frame and says when it is empty) and Load more while next_cursor is set.
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
      {rows !== null && (
        <div class="table-wrap">
          <table data-testid={testId}>
            <thead>
              <tr>{head}</tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={head.length} class="empty">
                    {empty}
                  </td>
                </tr>
              )}
              {rows.map(row)}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor !== null && (
        <button type="button" onClick={() => void load(nextCursor)}>
          Load more
        </button>
      )}
    </section>
  );
}
