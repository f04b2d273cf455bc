import type { VNode } from 'preact';

interface DataTableProps<Row> {
  testId: string;
  /** The header cells, one per column. */
  head: VNode[];
  rows: readonly Row[];
  /** Said in the table when there are no rows. */
  empty: string;
  row: (row: Row, index: number) => VNode;
}

/**
 * A table in its scrolling frame, saying `empty` across all columns when there are no rows.
 *
 * @example <DataTable testId="events" head={[<th key="id">Id</th>]} rows={events} empty="No events." row={eventRow} />
 */
export function DataTable<Row>({ testId, head, rows, empty, row }: DataTableProps<Row>) {
  return (
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
  );
}
