/** A table of rows under column headings; numeric columns align right. */
import type { ComponentChildren } from 'preact';

export interface Column<T> {
  /** the heading; also the cell's key, so unique in its table */
  label: string;
  numeric?: boolean;
  cell: (row: T) => ComponentChildren;
}

interface DataTableProps<T> {
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  /** the id of the heading that names the table, when it has no caption */
  labelledBy?: string;
  caption?: ComponentChildren;
  /** the caption is for screen readers only */
  hiddenCaption?: boolean;
  /** in a box that scrolls sideways when the table is wider than the page (the default) */
  scrolls?: boolean;
}

export function DataTable<T>({ columns, rows, rowKey, labelledBy, caption, hiddenCaption = false, scrolls = true }: DataTableProps<T>) {
  const align = (column: Column<T>) => (column.numeric ? 'num' : undefined);
  const table = (
    <table aria-labelledby={labelledBy}>
      {caption !== undefined && <caption class={hiddenCaption ? 'visually-hidden' : undefined}>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.label} scope="col" class={align(column)}>
              {column.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map((column) => (
              <td key={column.label} class={align(column)}>
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return scrolls ? <div class="table-wrap">{table}</div> : table;
}
