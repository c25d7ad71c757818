/**
 * `gpu-reaper backtest`: replays the configured policy over N days of CloudWatch GPU history, with the same engine,
 * one pass per schedule period, and reports what the fleet spent and what the policy would have done.
 *
 * @example npx gpu-reaper backtest --days 14 --region us-east-1 --html backtest.html --sweep
 */
import { createRegionClients } from '../shared/adapters/aws/clients';
import { readInstanceHistories } from '../shared/adapters/cloudwatch/gpu-history';
import type { GpuHistoryOptions } from '../shared/adapters/cloudwatch/gpu-history-metrics';
import { replayFleet, scheduleIntervalMs, sweep } from '../shared/engine/replay';
import { UsageError } from '../shared/errors';
import { backtestDocument } from '../shared/render/backtest/backtest-document';
import { renderBacktestHtml } from '../shared/render/backtest/backtest-html';
import { policyLine } from '../shared/render/backtest/backtest-summary';
import { renderBacktestTables } from '../shared/render/backtest/backtest-table';
import { ExitCode } from './exit-codes';
import { writeHtmlFile } from './html-file';
import { type PassFlags, passContext } from './pass-context';

/** Flags of `backtest`. */
interface BacktestFlags extends PassFlags {
  readonly days?: string;
  readonly json?: boolean;
  readonly html?: string;
  readonly sweep?: boolean;
}

/** What tests may change: where output goes, and how history is read. */
interface BacktestIo {
  /** @default process.stdout.write */
  readonly write?: (text: string) => void;
  readonly history?: GpuHistoryOptions;
}

/** CloudWatch keeps 5-minute data for 63 days; past that, hourly data cannot show a 15-minute gap. */
const MAX_DAYS = 63;
const DAY_MS = 86_400_000;

function parseDays(text: string | undefined): number {
  if (text === undefined) throw new UsageError('backtest needs --days N (a whole number of days, 1 to 63)');
  const days = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new UsageError(`--days must be a whole number from 1 to ${MAX_DAYS}, got "${text}"`);
  }
  return days;
}

/**
 * Runs `backtest` and returns the exit code (0; bad usage, config or AWS failures throw and are mapped by the CLI).
 *
 * @example await backtestCommand({ days: '14', region: ['us-east-1'], json: true }) // prints the JSON document
 */
async function backtestCommand(flags: BacktestFlags, io: BacktestIo = {}): Promise<number> {
  const write = io.write ?? ((text: string) => void process.stdout.write(text));
  const days = parseDays(flags.days);
  const { config, now, regions } = await passContext(flags);
  const to = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const from = new Date(to.getTime() - days * DAY_MS);
  const histories = [];
  for (const region of regions) {
    histories.push(
      ...(await readInstanceHistories(createRegionClients(region), region, config, { from, to }, io.history)),
    );
  }
  const window = { from, to, scheduleMs: scheduleIntervalMs(config.schedule) };
  const result = replayFleet(histories, config, window);
  const rows = flags.sweep || flags.html ? sweep(histories, config, window) : undefined;
  const context = { days, regions, policy: policyLine(config) };
  if (flags.html) writeHtmlFile(flags.html, renderBacktestHtml(result, histories, rows ?? [], context));
  if (flags.json) {
    write(`${JSON.stringify(backtestDocument(result, days, flags.sweep ? rows : undefined), null, 2)}\n`);
  } else {
    const html = flags.html ? `\nHTML report written to ${flags.html}` : '';
    write(`${renderBacktestTables(result, context, flags.sweep ? rows : undefined)}${html}\n`);
  }
  return ExitCode.Done;
}

export type { BacktestFlags, BacktestIo };
export { backtestCommand };
