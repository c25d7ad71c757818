/**
 * `plan` and `run` over many accounts (`accounts` in the config): the targets (account × region) resolved from
 * Organizations and `accounts.ids`, limited by `--account` and `--region`, one pass each through the spoke role,
 * four at a time, printed as one document with a `targets` list. One target's failure never stops the others; it
 * makes the exit code 1 (3 when every target failed because AWS was unreachable or refused the credentials).
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { clientOptions } from '../shared/adapters/aws/clients';
import { type Config, EnvName } from '../shared/config';
import { composeTable } from '../shared/pass/compose';
import { type CombinedPasses, combineTargets, resolveTargets, runTargetPasses } from '../shared/pass/targets';
import { renderNotification } from '../shared/render/notifications/notification';
import { regionFailureLines, renderDecisionTable } from '../shared/render/tables/decision-table';
import { passDocument } from '../shared/render/tables/pass-document';
import { wrapText } from '../shared/render/tables/terminal-wrap';
import { ExitCode } from './exit-codes';
import { throwWhenNoneReached } from './pass-exit';
import { onTable, TABLE_PROBE } from './table-check';

/** Targets passed at once: enough to cover many accounts quickly, few enough for one host's sockets. */
const TARGET_CONCURRENCY = 4;

/** What the verb resolved from its flags before turning to the targets. */
interface TargetsInvocation {
  readonly mode: 'plan' | 'run';
  readonly config: Config;
  readonly now: Date;
  readonly homeRegion: string;
  readonly table: string | null;
  readonly topicArn: string | null;
  /** `--account` values. */
  readonly accounts: readonly string[];
  /** `--region` values: in place of each account's regions. */
  readonly regions: readonly string[];
  readonly json: boolean;
}

/** The JSON document: the pass document plus `targets` (and, for `run`, what the passes recorded). */
function targetsDocument(combined: CombinedPasses, mode: 'plan' | 'run') {
  const targets = combined.targets.map(({ accountId, region, status, error, passId }) => ({
    accountId,
    region,
    status,
    error,
    passId,
  }));
  if (mode === 'plan') return { ...passDocument(combined), targets };
  const events = combined.events.map(({ event, instanceId, accountId, rule, actAt, transitionId }) => ({
    event,
    instanceId,
    accountId,
    rule,
    actAt,
    transitionId,
  }));
  const { errors, recovered, deferred } = combined;
  return { ...passDocument(combined), targets, events, errors, recovered, deferred };
}

/** The human output: the table with accounts, each failed target, and (`run`) the events. */
function targetsText(combined: CombinedPasses, mode: 'plan' | 'run', topicArn: string | null): string {
  const lines = [renderDecisionTable(combined, 100, { accounts: true })];
  const ok = combined.targets.filter((target) => target.status === 'ok').length;
  lines.push(`targets ${combined.targets.length} · ok ${ok} · failed ${combined.targets.length - ok}`);
  if (mode === 'run') {
    for (const event of combined.events) {
      lines.push(`  ${event.event.padEnd(15)} ${event.accountId ?? '-'} ${event.instanceId} ${event.rule ?? ''}`);
    }
    if (!topicArn && combined.events.length > 0) {
      lines.push('', 'No topic configured: the notifications of this pass were:');
      for (const event of combined.events) lines.push('', wrapText(renderNotification(event, combined.now).text, 100));
    }
  }
  return lines.join('\n');
}

/**
 * Runs `plan` or `run` over every target and returns the exit code: 0 when every target passed cleanly, 1 when
 * any target failed or any pass had errors.
 *
 * @throws UsageError when `--account` names an account that is not a target
 */
async function targetsCommand(invocation: TargetsInvocation): Promise<number> {
  const { config, now, homeRegion, table, topicArn, mode } = invocation;
  const organizations = config.accounts?.organization ? new OrganizationsClient(clientOptions(homeRegion)) : undefined;
  const targets = await resolveTargets(
    config,
    { ...(organizations ? { organizations } : {}), homeRegion },
    { accounts: invocation.accounts, regions: invocation.regions },
  );
  // Before any target: without its table a pass can neither keep a promise nor audit one.
  if (table) {
    const edges = { config, regions: [homeRegion], homeRegion, table, topicArn };
    const store = composeTable(edges, table).store;
    await onTable(table, homeRegion, () => store.load([TABLE_PROBE]));
  }
  const problems: string[] = [];
  const outcomes = await runTargetPasses(
    targets,
    {
      config,
      now,
      homeRegion,
      table,
      topicArn,
      // Exactly as one account's run: WARNED messages carry signed links when a key and the endpoint are known.
      links: { keyId: process.env[EnvName.LinkKeyId], baseUrl: process.env[EnvName.OwnerActionUrl] },
      onProblem: (target, message, error) =>
        problems.push(`${target.accountId}/${target.region}: ${message}: ${(error as Error).message}`),
    },
    mode,
    TARGET_CONCURRENCY,
  );
  const combined = combineTargets(outcomes, now, config.mode);
  process.stdout.write(
    invocation.json
      ? `${JSON.stringify(targetsDocument(combined, mode), null, 2)}\n`
      : `${targetsText(combined, mode, topicArn)}\n`,
  );
  // No target reachable (exit 3) is one line that names every target, in place of the lines below.
  throwWhenNoneReached(combined.regionFailures, combined.targets.length, 'target');
  const notScanned = invocation.json ? regionFailureLines(combined) : [];
  for (const problem of [...notScanned, ...problems]) {
    process.stderr.write(`gpu-reaper: ${problem.replace(/\s*\n\s*/g, ' ')}\n`);
  }
  const failed = combined.targets.some((target) => target.status === 'error');
  const instanceErrors = combined.decisions.some((decision) => decision.outcome === 'error');
  return failed || instanceErrors || combined.errors > 0 ? ExitCode.InstanceErrors : ExitCode.Done;
}

export type { TargetsInvocation };
export { targetsCommand };
