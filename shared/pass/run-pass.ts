/**
 * One full pass, as the Lambda runs it on every schedule tick and `gpu-reaper run` runs it once:
 * scan → read metrics → decide → act → notify → audit.
 */
import type { Config } from '../config';
import { configHash, parseDuration } from '../config';
import { decideFleet, type InstanceFacts } from '../engine';
import { carryOut } from './carry-out';
import { mapWithConcurrency } from './concurrency';
import type { ReaperEvent } from './events';
import { newPassId } from './pass-id';
import type { AuditSink, EventPublisher, StateStore } from './ports';
import { scanFleet } from './scan-fleet';
import type { PassResult, RegionActor, RegionReader } from './types';
import { warningsFor } from './warnings';

/** Everything a `run` pass needs; the CLI and the Lambda build it from their own edges. */
interface RunPassOptions {
  readonly config: Config;
  readonly now: Date;
  readonly readers: readonly RegionReader[];
  readonly actorFor: (region: string) => RegionActor;
  readonly store: StateStore;
  readonly audit: AuditSink;
  readonly publisher: EventPublisher;
  /** On-demand $/hour of an instance type; `null` when unknown. */
  readonly priceOf?: (instanceType: string) => number | null;
  /** Reports failures that do not change a decision (a failed tag write or publish). */
  readonly onProblem?: (message: string, error: unknown) => void;
  /** How many instances are carried out at once. @default 8 */
  readonly concurrency?: number;
}

/** The pass's result plus the events (transitions) it recorded. */
interface RunPassResult extends PassResult {
  readonly events: readonly ReaperEvent[];
}

/**
 * Runs one pass and carries out its decisions. In `dry-run` everything happens but the EC2 stop/terminate calls.
 *
 * @example
 * const result = await runPass({ config, now: new Date(), readers, actorFor, store, audit, publisher });
 */
async function runPass(options: RunPassOptions): Promise<RunPassResult> {
  const { config, now, store } = options;
  const passId = newPassId(now);
  const { inputs, regionFailures } = await scanFleet(options.readers, config, now);
  const joined = await warningsFor(inputs, store);
  const fleet = decideFleet(joined, config, now);

  const byId = new Map(joined.map((input) => [input.instance.instanceId, input]));
  const accounts = new Map<string, InstanceFacts['accountId']>(
    inputs.map((input) => [input.instance.instanceId, input.instance.accountId]),
  );
  const onProblem = options.onProblem ?? (() => {});
  const ctx = {
    config,
    store,
    audit: options.audit,
    publisher: options.publisher,
    actorFor: options.actorFor,
    onProblem,
    ttlSeconds: Math.round((parseDuration(config.auditRetention) ?? 0) / 1000),
    stamp: {
      passId,
      now,
      mode: config.mode,
      configHash: configHash(config),
      tagPrefix: config.tagPrefix,
      accountIdOf: (id: string) => accounts.get(id) ?? null,
      priceOf: options.priceOf ?? (() => null),
    },
  };
  const carried = await mapWithConcurrency(fleet.decisions, options.concurrency ?? 8, (decision) =>
    carryOut(ctx, decision, byId.get(decision.instanceId)!),
  );

  await tellAdmins(options.publisher, config, fleet, onProblem);
  return {
    passId,
    mode: config.mode,
    now,
    regions: options.readers.map((reader) => reader.region),
    decisions: carried.map((c) => c.decision),
    regionFailures,
    telemetryBrake: fleet.brake.engaged,
    capped: fleet.capped,
    events: carried.flatMap((c) => c.events),
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
