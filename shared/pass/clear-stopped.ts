/**
 * Warnings overtaken by someone else: an instance warned for its current launch that its owner (or anyone but the
 * reaper) stopped or terminated before the action is no longer in the scan, which sees running instances only. Each
 * region lists the instances that still carry the `warned` tag but are stopping, stopped, shutting down or
 * terminated; a warning of theirs still in phase `warned` is cleared (`CLEARED`, "stopped outside the reaper"),
 * through the same conditional state change and commit as any other clear, so overlapping passes clear it once.
 * Phases `acting` and `acted` are the reaper's own action: recovery and the act path settle those.
 */
import type { Config } from '../config';
import type { ReaperEvent } from '../core/events';
import type { StateChange, StateStore, StoredWarning } from '../core/ports';
import type { Evidence, InstanceFacts } from '../engine';
import { readTags } from '../engine';
import { type LivePriceSource, resolvePrices } from '../prices/resolve-prices';
import type { PassStamp } from './event-builder';
import { errorEventFor, messageOf, type Recorder } from './recorder';
import type { RegionActor, RegionReader } from './types';

/** What clearing overtaken warnings needs: the pass's readers, state, recorder and stamp. */
interface ClearStoppedContext {
  readonly config: Config;
  readonly readers: readonly RegionReader[];
  readonly store: StateStore;
  readonly recorder: Recorder;
  readonly actorFor: (region: string) => RegionActor;
  readonly stamp: PassStamp;
  /** Live on-demand prices, as the pass has them. @default none: overrides, then the bundled table */
  readonly livePrices?: LivePriceSource;
  /** Every failure, once; none of them fails the pass. */
  readonly onProblem: (message: string, error: unknown) => void;
}

/** A listed instance, with when EC2 says it stopped. */
type Listed = { readonly instance: InstanceFacts; readonly stoppedAt: Date | null };

/** States in which the instance is gone or going: no tag to remove. */
const GONE_STATES = new Set(['shutting-down', 'terminated']);

/** The reason recorded and told to the owner. */
const reasonFor = (state: string) => `stopped outside the reaper: the instance is ${state}`;

/** True when the warning is pending and belongs to the launch the instance last ran. */
function isOvertaken(stored: StoredWarning | undefined, instance: InstanceFacts): stored is StoredWarning {
  if (stored?.phase !== 'warned') return false;
  return stored.launchTime === null || stored.launchTime === instance.launchTime.toISOString();
}

/**
 * The `CLEARED` event of an overtaken warning. Its transition id is the one the act path gives the same clear (an
 * instance found stopped on the re-describe), so the two can never both be recorded.
 */
function clearedEvent(ctx: ClearStoppedContext, listed: Listed, stored: StoredWarning, hourlyUsd: number | null) {
  const { instance } = listed;
  const { stamp, config } = ctx;
  const now = stamp.now;
  const until = listed.stoppedAt && listed.stoppedAt < now ? listed.stoppedAt : now;
  const ranMs = Math.max(0, until.getTime() - instance.launchTime.getTime());
  const actAt = stored.actAt.toISOString();
  // No telemetry is read for an instance that is not running: the evidence says what EC2 said.
  const evidence: Evidence = {
    launchTime: instance.launchTime.toISOString(),
    runningForMinutes: Math.floor(ranMs / 60_000),
    gpuCount: instance.gpu.count,
    gpuSource: instance.gpu.source,
    telemetry: 'missing',
    telemetrySource: 'none',
    idleMinutes: null,
    idleUsd: null,
    state: instance.state,
    ...(listed.stoppedAt ? { stoppedAt: listed.stoppedAt.toISOString() } : {}),
  };
  const event: ReaperEvent = {
    transitionId: `${instance.instanceId}:CLEARED:${stored.rule}:${actAt}`,
    event: 'CLEARED',
    instanceId: instance.instanceId,
    region: instance.region,
    accountId: instance.accountId,
    at: now.toISOString(),
    rule: stored.rule,
    action: stored.action,
    actAt,
    mode: stamp.mode,
    reason: reasonFor(instance.state),
    evidence,
    instanceType: instance.instanceType,
    owner: readTags(instance.tags, config, now).owner,
    hourlyUsd,
    passId: stamp.passId,
    configHash: stamp.configHash,
    tagPrefix: stamp.tagPrefix,
  };
  return event;
}

/** Lists every region's warned instances that are no longer running; a region that fails is reported and skipped. */
async function listOvertaken(ctx: ClearStoppedContext, warnedTag: string): Promise<Listed[]> {
  const perRegion = await Promise.all(
    ctx.readers.map(async (reader) => {
      if (!reader.listWarnedNotRunning) return [];
      try {
        return await reader.listWarnedNotRunning(warnedTag);
      } catch (error) {
        ctx.onProblem(`listing stopped instances still tagged ${warnedTag} in ${reader.region} failed`, error);
        return [];
      }
    }),
  );
  return perRegion.flat();
}

/** Clears one overtaken warning and removes its tag where the instance still exists; never throws. */
async function clearOne(ctx: ClearStoppedContext, listed: Listed, stored: StoredWarning, event: ReaperEvent) {
  const { instanceId } = listed.instance;
  const warnedTag = `${ctx.config.tagPrefix}warned`;
  const expected = { rule: stored.rule, actAt: stored.actAt };
  // With the pass id the clear is refused while another pass holds an acting claim on the instance.
  const clear: StateChange = { kind: 'clear', instanceId, expected, passId: ctx.stamp.passId };
  let made: boolean;
  try {
    made = await ctx.recorder.record(clear, event);
  } catch (error) {
    // Nothing was written: the warning stays and the next pass tries again.
    ctx.onProblem(`clearing the warning of ${instanceId} (stopped outside the reaper) failed`, error);
    return false;
  }
  if (made && !GONE_STATES.has(listed.instance.state)) {
    await ctx
      .actorFor(listed.instance.region)
      .removeTags(instanceId, [warnedTag])
      .catch(async (error: unknown) => {
        ctx.onProblem(`removing the ${warnedTag} tag failed (${instanceId})`, error);
        const key = `untag:cleared:${stored.rule}:${event.actAt}`;
        const reason = `removing the ${warnedTag} tag failed: ${messageOf(error)}`;
        await ctx.recorder.recordError(errorEventFor(event, ctx.stamp, key, reason), `error:${key}`);
      });
  }
  return made;
}

/**
 * Clears the warnings of instances stopped or terminated by someone else during the grace: one `CLEARED` each,
 * owner told, `warned` tag removed where the instance still exists. Never throws: a failure is reported through
 * `onProblem` and the work stays for the next pass.
 *
 * @returns how many warnings this pass cleared
 * @example const cleared = await clearStopped({ config, readers, store, recorder, actorFor, stamp, onProblem });
 */
async function clearStopped(ctx: ClearStoppedContext): Promise<number> {
  const listed = await listOvertaken(ctx, `${ctx.config.tagPrefix}warned`);
  if (listed.length === 0) return 0;
  let stored: Map<string, StoredWarning>;
  try {
    stored = await ctx.store.load(listed.map(({ instance }) => instance.instanceId));
  } catch (error) {
    ctx.onProblem('loading the warnings of stopped instances failed; cleared by a later pass', error);
    return 0;
  }
  const due = listed.filter(({ instance }) => isOvertaken(stored.get(instance.instanceId), instance));
  if (due.length === 0) return 0;
  const { overrides } = ctx.config.prices;
  const priceOf = await resolvePrices(
    due.map(({ instance }) => instance),
    { overrides, live: ctx.livePrices, onProblem: ctx.onProblem },
  );
  let cleared = 0;
  for (const entry of due) {
    const warning = stored.get(entry.instance.instanceId)!;
    const event = clearedEvent(ctx, entry, warning, priceOf(entry.instance.instanceType, entry.instance.region));
    if (await clearOne(ctx, entry, warning, event)) cleared += 1;
  }
  return cleared;
}

export type { ClearStoppedContext };
export { clearStopped };
