/**
 * The demo's terminal layout, shared by its scenes' printers: the width every line fits, the story's clock
 * ("launch + 1h10m"), a scene's heading rule, a table whose last column takes the width the others leave, and
 * signed links cut to what a reader needs to see.
 */
import Table from 'cli-table3';
import { TABLE_WIDTH } from './fitted-table';

/** The terminal the demo is written for. */
const WIDTH = TABLE_WIDTH;

/** No colours: the demo's output reads the same in a terminal, a file and a test. */
const plain = { style: { head: [] as string[], border: [] as string[] } };

/** Minutes after launch as the story counts them: `launch + 1h05m`. */
const clock = (minutes: number) => `launch + ${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;

/** A heading across the terminal: `━━ title ━━━…`, after a blank line. */
const rule = (title: string) => `\n━━ ${title} ${'━'.repeat(Math.max(2, WIDTH - 4 - Array.from(title).length))}`;

/** A table whose last column takes what the others leave of the width, its text wrapped. */
function demoTable(head: string[], fixed: number[]) {
  const last = WIDTH - fixed.reduce((sum, width) => sum + width, 0) - (fixed.length + 2);
  return new Table({ head, colWidths: [...fixed, last], wordWrap: true, wrapOnWordBoundary: true, ...plain });
}

/** A signed link cut for the terminal: the endpoint and the token's first characters (the rest is the MAC). */
const shortLinks = (text: string) => text.replace(/(https?:\/\/\S+?\?t=)([A-Za-z0-9_-]{16})[A-Za-z0-9_.%-]+/g, '$1$2…');

export { clock, demoTable, plain, rule, shortLinks, WIDTH };
