/**
 * One full pass, as the Lambda runs it on every schedule tick and `gpu-reaper run` runs it once:
 * scan → read metrics → decide → act → notify → audit.
 */
import type { Config } from '../config';
import { configHash, parseDuration } from '../config';
import type { ReaperEvent } from '../core/events';
import type { BudgetLedger, EventPublisher, Outbox, StateStore, TransitionLog } from '../core/ports';
import type { decideFleet, InstanceFacts } from '../engine';
import type { LivePriceSource } from '../prices/resolve-prices';
import { budgetStandings, tellBudgets, withBudgets } from './budgets';
import { carryOut } from './carry-out';
import { clearStopped } from './clear-stopped';
import { mapWithConcurrency } from './concurrency';
import { fleetWithHibernation } from './hibernation';
import { newPassId } from './pass-id';
import { priceFleet } from './price-fleet';
import { readSchedules } from './read-schedules';
import { createRecorder } from './recorder';
import { type Recovered, recoverPending } from './recover-pending';
import { recordRegionErrors } from './region-errors';
import { scanFleet } from './scan-fleet';
import { decideSettled } from './settle-brake';
import { byUrgency, deferred, isSpent, readDeadline, type TimeBudget } from './time-budget';
import type { PassResult, RegionActor, RegionReader } from './types';
import { approvalTagOf, warningsFor } from './warnings';

/** Everything a `run` pass needs; the CLI and the Lambda build it from their own edges. */
interface RunPassOptions {
  readonly config: Config;
  readonly now: Date;
  readonly readers: readonly RegionReader[];
  readonly actorFor: (region: string) => RegionActor;
  readonly store: StateStore;
  /** Where transitions are committed (state, audit item and outbox entry at once) and actions in flight kept. */
  readonly transitions: TransitionLog;
  /** Notifications not yet published; drained at the start of every pass. */
  readonly outbox: Outbox;
  readonly publisher: EventPublisher;
  /**
   * Live on-demand prices (the Pricing API), when `prices.live` is on; a failure falls back to the bundled prices.
   * @default none: `prices.overrides`, then the bundled table
   */
  readonly livePrices?: LivePriceSource;
  /** Reports every failure the pass absorbed (a failed call, a failed publish), once each; `errors` counts them. */
  readonly onProblem?: (message: string, error: unknown) => void;
  /** How many instances are carried out at once. @default 8 */
  readonly concurrency?: number;
  /**
   * Time left to the pass (the Lambda's remaining time): past its reserve, no new instance is started.
   * @default no limit
   */
  readonly budget?: TimeBudget;
  /**
   * The member account this pass covers (many accounts: one pass per account and region, one shared table). Work
   * earlier passes left for other accounts is left to their passes; region-level errors carry it.
   * @default the one account of the credentials: everything in the table is this pass's
   */
  readonly accountId?: string;
  /** The budgets' ledger (state table), when `budgets` is on. @default none: no budget is counted or applied */
  readonly ledger?: BudgetLedger;
}

/** The pass's result plus the events (transitions) it recorded. */
interface RunPassResult extends PassResult {
  readonly events: readonly ReaperEvent[];
  /**
   * Failures of this pass, for its `Errors` metric: failed calls it absorbed (each reported to `onProblem`),
   * regions it could not scan, and instances whose telemetry could not be read.
   */
  readonly errors: number;
  /** What earlier passes left and this one finished: actions in flight settled, notifications published. */
  readonly recovered: Recovered;
  /** Instances whose transition this pass did not start for lack of time; the next pass carries them out. */
  readonly deferred: readonly string[];
}

/**
 * Runs one pass and carries out its decisions. In `dry-run` everything happens but the EC2 stop/terminate calls.
 *
 * @example
 * const result = await runPass({ config, now: new Date(), readers, actorFor, store, transitions, outbox, publisher });
 */
async function runPass(options: RunPassOptions): Promise<RunPassResult> {
  const { config, now, store } = options;
  const passId = newPassId(now);
  let failures = 0;
  const onProblem = (message: string, error: unknown) => {
    failures += 1;
    options.onProblem?.(message, error);
  };
  const ttlSeconds = Math.round((parseDuration(config.auditRetention) ?? 0) / 1000);
  const { transitions: log, outbox, publisher, actorFor } = options;
  const graceMs = parseDuration(config.warning.grace) ?? 0;
  const onDelivered = (event: ReaperEvent, at: Date) =>
    event.rule && event.actAt
      ? (store.markDelivered?.(event.instanceId, { rule: event.rule, actAt: new Date(event.actAt) }, at) ??
        Promise.resolve())
      : Promise.resolve();
  const recorder = createRecorder({ log, outbox, publisher, passId, now, ttlSeconds, onProblem, onDelivered, graceMs });
  // First what earlier passes left: actions in flight, unsent notifications. It never depends on the scan.
  const regions = options.readers.map((reader) => reader.region);
  const warnedTag = `${config.tagPrefix}warned`;
  const recovered = await recoverPending({
    log,
    outbox,
    recorder,
    now,
    regions,
    actorFor,
    warnedTag,
    onProblem,
    ...(options.accountId ? { accountId: options.accountId } : {}),
  });

  const schedules = readSchedules(store, config, now, onProblem);
  const scan = await scanFleet(options.readers, config, now, schedules.select, readDeadline(options.budget));
  const { inputs, regionFailures, regionProblems, unmatchedSeries, telemetrySplits } = scan;
  const priced = await priceFleet(inputs, config, { live: options.livePrices, onProblem });
  // Without the state no action can be due; new warnings still meet the table's conditions.
  // Budgets first: this pass's spend counts before a team's standing gates its runs.
  const standings = await budgetStandings(priced, config, now, options.ledger, 'count', onProblem);
  const budgeted = withBudgets(priced, standings, config);
  const joined = await warningsFor(
    budgeted,
    store,
    `${config.tagPrefix}snooze-until`,
    schedules.preloaded,
    approvalTagOf(config),
  ).catch((error: unknown) => {
    onProblem('loading the warning state failed; no action this pass', error);
    return budgeted.map((input) => ({ ...input, warning: null }));
  });
  // Unread instances the telemetry-outage brake needs are read now: it then holds back what reading all would.
  const settled = await decideSettled(joined, options.readers, config, now);
  const decided = settled.fleet;
  await schedules.record(settled.inputs);
  // A stop of an instance set up for hibernation hibernates it (actions.hibernate): the decisions say so.
  const fleet = { ...decided, decisions: fleetWithHibernation(decided.decisions, settled.inputs, config) };
  const unread = fleet.decisions.filter((decision) => decision.outcome === 'error').length;

  const byId = new Map(settled.inputs.map((input) => [input.instance.instanceId, input]));
  const accounts = new Map<string, InstanceFacts['accountId']>(
    inputs.map((input) => [input.instance.instanceId, input.instance.accountId]),
  );
  const ctx = {
    config,
    store,
    log,
    recorder,
    actorFor,
    onProblem,
    ttlSeconds,
    stamp: {
      passId,
      now,
      mode: config.mode,
      configHash: configHash(config),
      tagPrefix: config.tagPrefix,
      accountIdOf: (id: string) => accounts.get(id) ?? null,
    },
  };
  // Most urgent first, so a pass that runs short of time defers only what can wait.
  const postponed: string[] = [];
  const done = await mapWithConcurrency(byUrgency(fleet.decisions), options.concurrency ?? 8, async (decision) => {
    if (isSpent(options.budget)) {
      postponed.push(decision.instanceId);
      return { decision: deferred(decision), events: [] };
    }
    return carryOut(ctx, decision, byId.get(decision.instanceId)!);
  });
  const byInstance = new Map(done.map((c) => [c.decision.instanceId, c]));
  const carried = fleet.decisions.map((decision) => byInstance.get(decision.instanceId)!);
  // Warnings overtaken by someone else's stop or terminate: not in the scan of running instances, so listed apart
  // (only in regions that answered the scan: an outage is one ERROR, already recorded).
  if (!isSpent(options.budget)) {
    const failed = new Set(regionFailures.map((failure) => failure.region));
    const readers = options.readers.filter((reader) => !failed.has(reader.region));
    await clearStopped({ ...ctx, readers, livePrices: options.livePrices });
  }

  const regionStamp = { ...ctx.stamp, accountId: options.accountId ?? null };
  await recordRegionErrors(recorder, regionStamp, [...regionFailures, ...regionProblems]);
  await tellAdmins(publisher, config, fleet, onProblem);
  await tellBudgets({
    standings,
    decisions: carried.map((c) => c.decision),
    inputs: byId,
    config,
    ledger: options.ledger,
    recorder,
    publisher,
    stamp: ctx.stamp,
    ttlSeconds,
    onProblem,
  });
  return {
    passId,
    mode: config.mode,
    now,
    regions,
    decisions: carried.map((c) => c.decision),
    regionFailures,
    telemetryBrake: fleet.brake.engaged,
    capped: fleet.capped,
    unmatchedSeries,
    telemetrySplits,
    // Everything this pass committed: recovered actions, transitions, ERRORs (also those of failed publishes).
    events: [...recorder.recorded],
    errors: failures + regionFailures.length + regionProblems.length + unread,
    recovered,
    deferred: postponed,
  };
}

/** Admins hear about held-back actions and telemetry outages, once per pass. */
async function tellAdmins(
  publisher: EventPublisher,
  config: Config,
  fleet: ReturnType<typeof decideFleet>,
  onProblem: (message: string, error: unknown) => void,
): Promise<void> {
  if (!publisher.publishAdmin) return;
  const prefix = config.mode === 'dry-run' ? '[gpu-reaper][DRY RUN]' : '[gpu-reaper]';
  const notices: [string, string][] = [];
  if (fleet.capped > 0) {
    notices.push([
      `${prefix} ${fleet.capped} action(s) held back by maxActionsPerPass`,
      `maxActionsPerPass is ${config.maxActionsPerPass}; ${fleet.capped} further action(s) were due and will be taken on later passes. Raise the cap if this is expected.`,
    ]);
  }
  if (fleet.brake.engaged) {
    notices.push([
      `${prefix} GPU telemetry missing for ${fleet.brake.missing}/${fleet.brake.scanned} instances`,
      'More than half of the scanned fleet has no GPU telemetry, so idle and never-used did not act this pass (a metrics outage is not idleness). Check the CloudWatch agent.',
    ]);
  }
  for (const [subject, text] of notices) {
    await publisher.publishAdmin(subject, text).catch((error) => onProblem('admin notice failed', error));
  }
}

export type { RunPassOptions, RunPassResult };
export { runPass };
