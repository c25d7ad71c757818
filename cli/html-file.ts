/**
 * Writing the page of `--html FILE` (backtest, report): a file that cannot be written is bad usage, said in one line
 * with the path and the system's reason, never a stack trace.
 */
import { writeFileSync } from 'node:fs';
import { UsageError } from '../shared/errors';

/**
 * Writes `html` to `file`, or throws a {@link UsageError} naming `--html FILE` and the error code (`ENOENT`, `EACCES`).
 *
 * @example writeHtmlFile('fleet.html', renderFleetHtml(report.fleet, context))
 */
function writeHtmlFile(file: string, html: string): void {
  try {
    writeFileSync(file, html);
  } catch (error) {
    throw new UsageError(`cannot write --html ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export { writeHtmlFile };
