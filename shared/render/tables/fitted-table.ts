/**
 * Terminal tables that fit one width, 100 columns, for every verb: each column as wide as its widest cell, and when
 * the whole is too wide, the widest of the columns that may give way narrowed (their text wrapped at word
 * boundaries, a word longer than the column cut with `…`) until it fits.
 */
import Table from 'cli-table3';
import { columns } from './terminal-wrap';

/** The width every table and line a person reads in the terminal fits in. */
const TABLE_WIDTH = 100;

/** A column never gets narrower than this unless its content is. */
const MIN_COLUMN = 8;

/** One cell: text (lines split on `\n`) or a number. */
type Cell = string | number;

/** Options of {@link fittedTable}. */
interface FittedTableOptions {
  /** The table's width, borders included. @default TABLE_WIDTH */
  readonly width?: number;
  /**
   * The columns that may give way, by index, each with the narrowest it may get (an instance id keeps its 19
   * characters). @default every column, down to 8 characters
   */
  readonly shrink?: Readonly<Record<number, number>>;
}

const PLAIN = { head: [], border: [] };

function cellWidth(cell: Cell | undefined): number {
  return Math.max(
    0,
    ...String(cell ?? '')
      .split('\n')
      .map(columns),
  );
}

/** Content widths (without padding) that fit `width`, narrowing the widest column that may give way first. */
function fitWidths(head: readonly string[], rows: readonly (readonly Cell[])[], options: FittedTableOptions): number[] {
  const widths = head.map((title, column) =>
    Math.max(1, cellWidth(title), ...rows.map((row) => cellWidth(row[column]))),
  );
  // Each column pads one space either side; the borders take one more column than there are columns.
  const room = (options.width ?? TABLE_WIDTH) - (head.length + 1) - 2 * head.length;
  const floors = new Map<number, number>(
    options.shrink
      ? Object.entries(options.shrink).map(([column, floor]) => [Number(column), floor])
      : head.map((_, column) => [column, MIN_COLUMN]),
  );
  let total = widths.reduce((sum, width) => sum + width, 0);
  while (total > room) {
    let widest = -1;
    for (const [column, floor] of floors) {
      const width = widths[column] ?? 0;
      if (width > floor && (widest < 0 || width > (widths[widest] ?? 0))) widest = column;
    }
    if (widest < 0) break; // nothing may give way any more: the floors win over the width
    widths[widest] = (widths[widest] ?? 1) - 1;
    total -= 1;
  }
  return widths;
}

/**
 * A table of `rows` under `head`, at most `options.width` columns wide (see {@link FittedTableOptions.shrink}).
 *
 * @example fittedTable(['Instance', 'Owner'], [['i-0abc (train-7)', 'ana@example.com']], { shrink: { 1: 12 } })
 */
function fittedTable(
  head: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: FittedTableOptions = {},
): string {
  const widths = fitWidths(head, rows, options);
  const table = new Table({
    head: [...head],
    colWidths: widths.map((width) => width + 2),
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: PLAIN,
  });
  for (const row of rows) table.push(row.map((cell) => String(cell)));
  return table.toString();
}

export type { Cell, FittedTableOptions };
export { fittedTable, TABLE_WIDTH };
