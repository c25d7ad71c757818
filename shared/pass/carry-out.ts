/**
 * Carries out one decision's transition, exactly once across overlapping or retried passes: claim it in the state
 * table, then (for actions) re-describe and re-decide on fresh facts, act, record the event, and announce it.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { type Decision, decideInstance, type InstanceInput } from '../engine';
import { actionEventName, buildEvent, type PassStamp } from './event-builder';
import type { AuditEventName, ReaperEvent } from './events';
import type { AuditSink, EventPublisher, StateStore, StoredWarning } from './ports';
import type { RegionActor } from './types';

/** What carrying out a pass's decisions needs. */
interface CarryOutContext {
  readonly config: Config;
  readonly stamp: PassStamp;
  readonly store: StateStore;
  readonly audit: AuditSink;
  readonly publisher: EventPublisher;
  readonly actorFor: (region: string) => RegionActor;
  readonly ttlSeconds: number;
  /** Called for failures that do not change the decision (a tag that could not be written, a failed publish). */
  readonly onProblem: (message: string, error: unknown) => void;
}

/** The decision as carried out, and the events it produced. */
interface CarriedOut {
  readonly decision: Decision;
  readonly events: readonly ReaperEvent[];
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 10);

/** Carries out one decision; never throws (a failure becomes an `error` outcome and an `ERROR` event). */
async function carryOut(
  ctx: CarryOutContext,
  decision: Decision,
  input: InstanceInput & { stored?: StoredWarning },
): Promise<CarriedOut> {
  const events: ReaperEvent[] = [];
  const record = async (d: Decision, name: AuditEventName, extra?: { reason?: string; key?: string }) => {
    const event = buildEvent(ctx.stamp, d, name, extra);
    // Audit first: the conditional put refuses a duplicate, and only a first write is announced.
    if (!(await ctx.audit.write(event, { ttlSeconds: ctx.ttlSeconds }))) return;
    events.push(event);
    try {
      await ctx.publisher.publish(event);
    } catch (error) {
      ctx.onProblem(`notification of ${name} for ${d.instanceId} failed`, error);
    }
  };
  const once = (key: string) => ctx.store.claimNotice(decision.instanceId, key, ctx.ttlSeconds);
  const launch = input.instance.launchTime.toISOString();

  try {
    for (const problem of decision.tagProblems) {
      if (await once(`tag:${problem.tag}:${shortHash(problem.value)}`)) {
        const reason = `tag ${problem.tag}="${problem.value.slice(0, 64)}" ignored: ${problem.message}`;
        await record(decision, 'NOTIFIED', { reason, key: `tag:${problem.tag}` });
      }
    }
    const result = await carryOutChange(ctx, decision, input, record, once, launch);
    return { decision: result, events };
  } catch (error) {
    ctx.onProblem(`carrying out ${decision.outcome} for ${decision.instanceId} failed`, error);
    const failed: Decision = {
      ...decision,
      outcome: 'error',
      reason: `${decision.reason} — failed: ${(error as Error).message}`,
    };
    if (await once(`error:${decision.rule ?? 'none'}:${decision.actAt ?? launch}`).catch(() => false)) {
      await record(failed, 'ERROR').catch((e) => ctx.onProblem('audit of ERROR failed', e));
    }
    return { decision: failed, events };
  }
}

type RecordEvent = (d: Decision, name: AuditEventName, extra?: { reason?: string; key?: string }) => Promise<void>;

async function carryOutChange(
  ctx: CarryOutContext,
  decision: Decision,
  input: InstanceInput & { stored?: StoredWarning },
  record: RecordEvent,
  once: (key: string) => Promise<boolean>,
  launch: string,
): Promise<Decision> {
  const change = decision.warningChange;
  const actor = ctx.actorFor(decision.region);
  const warnedTag = `${ctx.config.tagPrefix}warned`;
  switch (change.kind) {
    case 'warn': {
      const { warning } = change;
      const won = await ctx.store.claimWarn({
        instanceId: decision.instanceId,
        region: decision.region,
        rule: warning.rule,
        action: warning.action,
        actAt: warning.actAt,
        warnedAt: warning.warnedAt ?? ctx.stamp.now,
        launchTime: launch,
        passId: ctx.stamp.passId,
      });
      if (!won) return decision;
      await actor
        .setTags(decision.instanceId, { [warnedTag]: `${warning.rule}@${warning.actAt.toISOString()}` })
        .catch((error) => ctx.onProblem(`tagging ${decision.instanceId} as warned failed`, error));
      await record(decision, 'WARNED');
      return decision;
    }
    case 'clear': {
      const { previous } = change;
      if (!(await ctx.store.claimClear(decision.instanceId, previous, ctx.stamp.passId))) return decision;
      await actor
        .removeTags(decision.instanceId, [warnedTag])
        .catch((error) => ctx.onProblem(`removing the warned tag of ${decision.instanceId} failed`, error));
      await record({ ...decision, rule: previous.rule, actAt: previous.actAt.toISOString() }, 'CLEARED');
      return decision;
    }
    case 'act':
      return act(ctx, decision, input, record, actor, warnedTag);
    case 'none':
      if (decision.outcome === 'notify' && (await once(`notify:${decision.rule}:${launch}`))) {
        await record(decision, 'NOTIFIED');
      }
      if (decision.outcome === 'error' && (await once(`error:telemetry:${ctx.stamp.now.toISOString().slice(0, 10)}`))) {
        await record(decision, 'ERROR');
      }
      return decision;
  }
}

async function act(
  ctx: CarryOutContext,
  decision: Decision,
  input: InstanceInput & { stored?: StoredWarning },
  record: RecordEvent,
  actor: RegionActor,
  warnedTag: string,
): Promise<Decision> {
  const stored = input.stored;
  if (!stored || !decision.rule || !decision.actAt) return decision; // the engine only acts on a stored warning
  const note = (reason: string): Decision => ({ ...decision, reason: `${decision.reason} (${reason})` });
  if (stored.phase === 'acted')
    return note(`already ${ctx.stamp.mode === 'dry-run' ? 'recorded as would-act' : 'done'}`);
  if (stored.phase === 'protected') {
    return { ...decision, outcome: 'skip', rule: 'protected', reason: `${decision.reason}; protection is on` };
  }
  const expected = { rule: stored.rule, actAt: stored.actAt };
  if (!(await ctx.store.claimAct(decision.instanceId, expected, ctx.stamp.passId))) {
    return note('another pass is acting on it');
  }

  // Fresh facts right before acting: the owner may have opted out, snoozed or protected it since the scan.
  let fresh: Awaited<ReturnType<RegionActor['describeForAction']>>;
  try {
    fresh = await actor.describeForAction(decision.instanceId);
  } catch (error) {
    await ctx.store.releaseAct(decision.instanceId, ctx.stamp.passId);
    throw error;
  }
  if (fresh?.state !== 'running') {
    await ctx.store.claimClear(decision.instanceId, expected, ctx.stamp.passId);
    const reason = `warning cleared: the instance is ${fresh ? fresh.state : 'gone'}`;
    const cleared: Decision = { ...decision, outcome: 'keep', action: null, reason };
    await record(cleared, 'CLEARED', { reason });
    return { ...cleared, rule: null, actAt: null };
  }
  const again = decideInstance(
    { instance: fresh, telemetry: input.telemetry, warning: stored },
    ctx.config,
    ctx.stamp.now,
  );

  if (again.rule === 'protected') {
    await ctx.store.finishAct(decision.instanceId, 'protected', ctx.stamp.passId);
    await record(again, 'SKIPPED');
    return again;
  }
  const action = again.action;
  if (again.outcome !== 'act' || again.rule !== decision.rule || (action !== 'stop' && action !== 'terminate')) {
    await ctx.store.claimClear(decision.instanceId, expected, ctx.stamp.passId);
    await actor.removeTags(decision.instanceId, [warnedTag]).catch((e) => ctx.onProblem('untag failed', e));
    await record({ ...again, rule: stored.rule, actAt: decision.actAt }, 'CLEARED', {
      reason: `warning cleared on fresh data: ${again.reason}`,
    });
    return again;
  }

  if (ctx.stamp.mode === 'enforce') {
    try {
      if (action === 'stop') await actor.stop(decision.instanceId);
      else await actor.terminate(decision.instanceId);
    } catch (error) {
      // Leave the warning in place so a later pass retries; the ERROR is recorded once by the caller.
      await ctx.store.releaseAct(decision.instanceId, ctx.stamp.passId);
      throw error;
    }
  }
  await ctx.store.finishAct(decision.instanceId, 'acted', ctx.stamp.passId);
  const done: Decision = { ...again, executed: ctx.stamp.mode === 'enforce' };
  if (ctx.stamp.mode === 'enforce') {
    await actor.removeTags(decision.instanceId, [warnedTag]).catch((e) => ctx.onProblem('untag failed', e));
  }
  await record(done, actionEventName(action, ctx.stamp.mode));
  return done;
}

export type { CarriedOut, CarryOutContext };
export { carryOut };
