/**
 * `gpu-reaper run`: one full pass exactly as the Lambda runs it (warn, act, notify, audit). In `dry-run` mode no
 * instance is stopped or terminated. With `accounts` in the config, one pass per account × region.
 *
 * @example npx gpu-reaper run --config gpu-reaper.json --table gpu-reaper-audit --topic arn:aws:sns:…:gpu-reaper
 */
import { EnvName } from '../shared/config';
import { isTopicArn } from '../shared/config/schema';
import { summarize } from '../shared/engine';
import { UsageError } from '../shared/errors';
import { composeOwnerLinks } from '../shared/owner-actions/compose';
import { composePrices, composePublisher, composeRegions, composeTable } from '../shared/pass/compose';
import { runPass } from '../shared/pass/run-pass';
import { renderNotification } from '../shared/render/notifications/notification';
import { regionFailureLines, renderDecisionTable } from '../shared/render/tables/decision-table';
import { passDocument } from '../shared/render/tables/pass-document';
import { wrapText } from '../shared/render/tables/terminal-wrap';
import { homeRegionOf, type PassFlags, passContext } from './pass-context';
import { outcomeExitCode } from './pass-exit';
import { onTable, TABLE_PROBE } from './table-check';
import { targetsCommand } from './targets-pass';

/** The terminal the human output is written for (the table's own default width). */
const TERMINAL_WIDTH = 100;

/** Flags of `run`. */
interface RunFlags extends PassFlags {
  readonly json?: boolean;
  readonly table?: string;
  readonly topic?: string;
}

/** Runs one pass for real and returns the exit code. */
async function runCommand(flags: RunFlags): Promise<number> {
  const { config, now, regions, accounts } = await passContext(flags);
  const table = flags.table ?? config.auditTable ?? process.env[EnvName.Table] ?? null;
  if (!table) {
    throw new UsageError(
      'run needs a table for warning state and the audit trail: pass --table NAME or set "auditTable"',
    );
  }
  if (flags.topic !== undefined && !isTopicArn(flags.topic)) {
    throw new UsageError(
      `--topic must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:gpu-reaper, got "${flags.topic}"`,
    );
  }
  const topicArn = flags.topic ?? config.topicArn ?? process.env[EnvName.TopicArn] ?? null;
  const homeRegion = homeRegionOf(regions);
  if (config.accounts) {
    const invocation = { mode: 'run', config, now, homeRegion, table, topicArn, accounts } as const;
    return targetsCommand({ ...invocation, regions: flags.region ?? [], json: flags.json === true });
  }
  const edges = { config, regions, homeRegion, table, topicArn };
  const { readers, actorFor } = composeRegions(edges);
  const tables = composeTable(edges, table);
  // Before anything else: without its table a pass can neither keep a promise nor audit one.
  await onTable(table, homeRegion, () => tables.store.load([TABLE_PROBE]));
  const problems: string[] = [];
  const onProblem = (message: string, error: unknown) =>
    problems.push(`${message}: ${(error as Error).message}`.replace(/\s*\n\s*/g, ' '));
  // Exactly as the Lambda: WARNED messages carry the owner's signed links when a key and the endpoint are known.
  const publisher = composeOwnerLinks(composePublisher(edges), {
    config,
    homeRegion,
    keyId: process.env[EnvName.LinkKeyId],
    baseUrl: process.env[EnvName.OwnerActionUrl],
    onProblem,
  });
  const result = await runPass({
    config,
    now,
    readers,
    actorFor,
    ...tables,
    publisher,
    livePrices: composePrices(edges, onProblem),
    onProblem,
  });

  if (flags.json) {
    const events = result.events.map(({ event, instanceId, rule, actAt, transitionId }) => ({
      event,
      instanceId,
      rule,
      actAt,
      transitionId,
    }));
    process.stdout.write(
      `${JSON.stringify({ ...passDocument(result), events, errors: result.errors, recovered: result.recovered, deferred: result.deferred }, null, 2)}\n`,
    );
  } else {
    const lines = [renderDecisionTable(result)];
    // Failed calls the pass went on without (a publish, a state write) are errors too: the count says so.
    const more = result.errors - summarize(result.decisions, result.regionFailures.length).errors;
    if (more > 0) lines.push(`and ${more} more error(s): AWS calls that failed and the pass went on without`);
    for (const event of result.events)
      lines.push(`  ${event.event.padEnd(15)} ${event.instanceId} ${event.rule ?? ''}`);
    if (!topicArn && result.events.length > 0) {
      lines.push('', 'No topic configured: the notifications of this pass were:');
      for (const event of result.events) lines.push('', wrapText(renderNotification(event, now).text, TERMINAL_WIDTH));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  // No region reachable (exit 3) is one line that names every region, in place of the lines below.
  const exitCode = outcomeExitCode(result);
  // The table says which regions were not scanned; the JSON document keeps stdout to itself, so stderr does.
  const notScanned = flags.json ? regionFailureLines(result) : [];
  for (const problem of [...notScanned, ...problems]) process.stderr.write(`gpu-reaper: ${problem}\n`);
  return exitCode;
}

export { runCommand };
