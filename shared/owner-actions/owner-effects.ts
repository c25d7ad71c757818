/**
 * What an owner's confirmed link does, through the reaper's own paths: every change is a transition committed by
 * the pass's recorder (state change, audit item and outbox entry at once, then published), so each is audited and
 * notified exactly once, `by: "owner"`. Keep writes the snooze tag, records `SNOOZED` (the table remembers the value,
 * so the next pass does not record it again) and clears the warning (`CLEARED`); stop runs the act step
 * (carry-out-act.ts) with its claim, its fresh re-describe and its intent, judged by {@link ownerStopCheck}. Both
 * act only while the link's warning is the one pending (link-binding.ts), and keep only where a snooze holds the
 * rule back. No GPU telemetry is read for an owner's answer, and its events say so rather than show empty numbers.
 * An approver's approve link (the approvers' copy of an `unapproved` warning) goes the same way, `by: "approver"`:
 * the `approved-until` tag written, `APPROVED` recorded with the tag's first sighting (the click), the warning
 * `CLEARED`.
 */
import type { Config } from '../config';
import { configHash, parseDuration } from '../config';
import type { ReaperEvent } from '../core/events';
import type { EventPublisher, Outbox, StateChange, StateStore, StoredWarning, TransitionLog } from '../core/ports';
import { type Decision, decideInstance, type InstanceFacts, stopImpossible } from '../engine';
import { instant } from '../engine/format';
import { TagName } from '../engine/tags';
import { type CarryOutContext, shortHash, transitionSteps } from '../pass/carry-out';
import { act } from '../pass/carry-out-act';
import { newPassId } from '../pass/pass-id';
import { createRecorder } from '../pass/recorder';
import type { RegionActor } from '../pass/types';
import { hourlyUsd } from '../prices/on-demand-prices';
import { isPendingWarning, SNOOZABLE } from './link-binding';
import { NOT_READ, ownerStopCheck, unreadEvidence } from './owner-stop-check';
import type { EffectResult, InstanceView, OwnerEffects } from './ports';
import type { TokenClaims } from './token';

/** What the effects run with: the pass's stateful collaborators and the region's EC2 actor. */
interface OwnerEffectDeps {
  readonly config: Config;
  readonly store: StateStore;
  readonly transitions: TransitionLog;
  readonly outbox: Outbox;
  readonly publisher: EventPublisher;
  readonly actorFor: (region: string) => RegionActor;
  /** Every failure absorbed on the way (a publish, an untag), once each. @default ignored */
  readonly onProblem?: (message: string, error: unknown) => void;
}

/** One request's context: a recorder and a stamp of its own, events `by: "owner"` (or `"approver"`). */
function contextFor(
  deps: OwnerEffectDeps,
  claims: TokenClaims,
  now: Date,
  by: 'owner' | 'approver' = 'owner',
): CarryOutContext {
  const passId = `owner-${newPassId(now)}`;
  const ttlSeconds = Math.round((parseDuration(deps.config.auditRetention) ?? 0) / 1000);
  const onProblem = deps.onProblem ?? (() => {});
  const { transitions: log, outbox, publisher } = deps;
  return {
    config: deps.config,
    store: deps.store,
    log,
    recorder: createRecorder({ log, outbox, publisher, passId, now, ttlSeconds, onProblem }),
    actorFor: deps.actorFor,
    ttlSeconds,
    onProblem,
    stamp: {
      passId,
      now,
      mode: deps.config.mode,
      configHash: configHash(deps.config),
      tagPrefix: deps.config.tagPrefix,
      accountIdOf: () => claims.account || null,
      by,
    },
  };
}

/** The instance's decision as the engine sees it now, without telemetry: the base of the owner's events. */
function baseDecision(fresh: InstanceFacts, config: Config, now: Date): Decision {
  const price = hourlyUsd(fresh.instanceType, { overrides: config.prices.overrides });
  const base = decideInstance(
    { instance: fresh, telemetry: NOT_READ(now), warning: null, hourlyUsd: price },
    config,
    now,
  );
  return { ...base, evidence: unreadEvidence(base.evidence) };
}

/** The warning pending on the instance's current launch, if any. */
async function pendingOf(store: StateStore, fresh: InstanceFacts): Promise<StoredWarning | null> {
  const stored = (await store.load([fresh.instanceId])).get(fresh.instanceId) ?? null;
  if (stored === null) return null;
  const current = stored.launchTime === null || stored.launchTime === fresh.launchTime.toISOString();
  return current ? stored : null;
}

const refused = (summary: string): EffectResult => ({ outcome: 'refused', summary, events: [] });
const STALE: EffectResult = {
  outcome: 'stale',
  summary: 'The warning this link came with is no longer pending: nothing was done.',
  events: [],
};
const namesOf = (events: readonly ReaperEvent[]) => events.map((event) => event.event);

/**
 * The planned time as the owner was told it: a message delivered late names a later time than the one stored (the
 * grace runs from delivery), and its link carries that time.
 */
const plannedAt = (stored: StoredWarning, claims: TokenClaims, stale: boolean) =>
  stale ? stored.actAt : new Date(Math.max(stored.actAt.getTime(), claims.warning.actAt.getTime()));

/** The owner's effects on the instances of valid tokens. */
function ownerEffects(deps: OwnerEffectDeps): OwnerEffects {
  const { config } = deps;
  const warnedTag = `${config.tagPrefix}warned`;

  const view = async (claims: TokenClaims): Promise<InstanceView> => {
    const fresh = await deps.actorFor(claims.region).describeForAction(claims.instanceId);
    const stored = fresh ? await pendingOf(deps.store, fresh) : null;
    const base = fresh ? baseDecision(fresh, config, new Date()) : null;
    const stale = !isPendingWarning(claims.warning, stored, fresh?.launchTime ?? null);
    return {
      instanceId: claims.instanceId,
      region: claims.region,
      instanceType: fresh?.instanceType ?? 'unknown',
      state: fresh?.state ?? 'gone',
      owner: base?.owner ?? null,
      name: fresh?.tags.Name ?? null,
      warning: stored && stored.phase !== 'acted' ? { ...stored, actAt: plannedAt(stored, claims, stale) } : null,
      stale,
    };
  };

  const keep = async (claims: TokenClaims, durationMs: number, now: Date): Promise<EffectResult> => {
    const actor = deps.actorFor(claims.region);
    const fresh = await actor.describeForAction(claims.instanceId);
    if (fresh?.state !== 'running') return refused(`It is ${fresh ? fresh.state : 'gone'}: there is nothing to keep.`);
    const stored = await pendingOf(deps.store, fresh);
    if (stored === null || !isPendingWarning(claims.warning, stored, fresh.launchTime)) return STALE;
    if (!SNOOZABLE.has(stored.rule)) {
      const planned = `the planned ${stored.action} at ${instant(stored.actAt, now)} stands`;
      return refused(`A snooze does not hold back a ${stored.rule} warning, so ${planned}: nothing was done.`);
    }
    const until = new Date(now.getTime() + durationMs);
    const value = until.toISOString();
    const tag = `${config.tagPrefix}snooze-until`;
    // The tag first: should anything after fail, the next pass still sees the snooze and records it.
    await actor.setTags(fresh.instanceId, { [tag]: value });

    const ctx = contextFor(deps, claims, now);
    const events: ReaperEvent[] = [];
    const { record, fail } = transitionSteps(ctx, events);
    const base = baseDecision(fresh, config, now);
    const snoozed: Decision = {
      ...base,
      rule: 'snoozed',
      action: null,
      actAt: null,
      reason: `snoozed until ${instant(until, now)} at the owner's request from the warning message (tag ${tag}=${value})`,
      evidence: { ...base.evidence, snoozeUntil: value },
    };
    const sighting: StateChange = {
      kind: 'snooze',
      instanceId: fresh.instanceId,
      value,
      firstSeenAt: now,
      ttlSeconds: ctx.ttlSeconds,
    };
    await record(sighting, snoozed, 'SNOOZED', { key: `snooze:${shortHash(value)}` });

    let note = '';
    if (stored !== null && stored.phase === 'warned') {
      const expected = { rule: stored.rule, actAt: stored.actAt };
      const cleared: Decision = {
        ...base,
        rule: stored.rule,
        action: stored.action,
        actAt: stored.actAt.toISOString(),
        reason: `warning withdrawn: the owner keeps it until ${instant(until, now)}`,
      };
      const clear: StateChange = { kind: 'clear', instanceId: fresh.instanceId, expected, passId: ctx.stamp.passId };
      if (await record(clear, cleared, 'CLEARED')) {
        const key = `untag:cleared:${stored.rule}:${cleared.actAt}`;
        await actor.removeTags(fresh.instanceId, [warnedTag]).catch((e) => fail(cleared, key, 'untag failed', e));
        note = ` The planned ${stored.action} at ${instant(plannedAt(stored, claims, false), now)} is withdrawn.`;
      }
    } else if (stored?.phase === 'acting') {
      note = ' The reaper was acting on it at that moment, so the snooze may have come too late.';
    }
    return { outcome: 'done', summary: `Kept until ${instant(until, now)}.${note}`, events: namesOf(events) };
  };

  const stop = async (claims: TokenClaims, now: Date): Promise<EffectResult> => {
    const actor = deps.actorFor(claims.region);
    const fresh = await actor.describeForAction(claims.instanceId);
    if (fresh?.state !== 'running') return refused(`It is ${fresh ? fresh.state : 'gone'}: there is nothing to stop.`);
    const stored = await pendingOf(deps.store, fresh);
    if (stored === null || !isPendingWarning(claims.warning, stored, fresh.launchTime)) return STALE;
    const impossible = stopImpossible(fresh);
    if (impossible !== null) return refused(`EC2 cannot stop it (${impossible}): nothing was done.`);

    const ctx = contextFor(deps, claims, now);
    const events: ReaperEvent[] = [];
    const steps = transitionSteps(ctx, events);
    const base = baseDecision(fresh, config, now);
    const asked: Decision = {
      ...base,
      outcome: 'act',
      rule: stored.rule,
      action: 'stop',
      actAt: now.toISOString(),
      reason: `stopped at the owner's request from the warning message (the ${stored.action} was planned for ${instant(stored.actAt, now)})`,
      warningChange: { kind: 'act', warning: stored },
    };
    const input = { instance: fresh, telemetry: NOT_READ(now), warning: stored, stored };
    const recheck = (again: InstanceFacts) => ownerStopCheck(asked, again, config, now);
    const done = await act({ ctx, decision: asked, input, actor, warnedTag, ...steps, recheck });
    const names = namesOf(events);
    if (names.includes('STOPPED')) return { outcome: 'done', summary: 'Stopped.', events: names };
    if (names.includes('WOULD_STOP')) {
      return { outcome: 'done', summary: 'Dry run: recorded as stopped, but nothing was stopped.', events: names };
    }
    return { outcome: 'refused', summary: `Not stopped: ${done.reason}.`, events: names };
  };

  const approve = async (claims: TokenClaims, durationMs: number, now: Date): Promise<EffectResult> => {
    const actor = deps.actorFor(claims.region);
    const fresh = await actor.describeForAction(claims.instanceId);
    if (fresh?.state !== 'running') {
      return refused(`It is ${fresh ? fresh.state : 'gone'}: there is no run to approve.`);
    }
    const stored = await pendingOf(deps.store, fresh);
    if (stored === null || !isPendingWarning(claims.warning, stored, fresh.launchTime)) return STALE;
    // Approve links are signed for unapproved warnings only; anything else is not an approval request.
    if (stored.rule !== 'unapproved') return refused(`A ${stored.rule} warning needs no approval: nothing was done.`);
    const until = new Date(now.getTime() + durationMs);
    const value = until.toISOString();
    const tag = `${config.tagPrefix}${TagName.approvedUntil}`;
    // The tag first: should anything after fail, the next pass still sees the approval and records it.
    await actor.setTags(fresh.instanceId, { [tag]: value });
    return approved(claims, fresh, stored, { until, value, tag }, now);
  };

  /** Records the approval (`APPROVED`, its sighting from the click) and clears the unapproved warning. */
  const approved = async (
    claims: TokenClaims,
    fresh: InstanceFacts,
    stored: StoredWarning,
    approval: { readonly until: Date; readonly value: string; readonly tag: string },
    now: Date,
  ): Promise<EffectResult> => {
    const { until, value, tag } = approval;
    const actor = deps.actorFor(claims.region);
    const ctx = contextFor(deps, claims, now, 'approver');
    const events: ReaperEvent[] = [];
    const { record, fail } = transitionSteps(ctx, events);
    const base = baseDecision(fresh, config, now);
    const decision: Decision = {
      ...base,
      rule: 'unapproved',
      action: null,
      actAt: null,
      reason:
        `approved until ${instant(until, now)} by an approver from the approval request (tag ${tag}=${value}); ` +
        `the approval is the run's max-runtime deadline`,
      evidence: { ...base.evidence, approvedUntil: value },
    };
    // The same sighting and transition a pass records for that tag value, so the next pass records neither again.
    const sighting: StateChange = {
      kind: 'approval',
      instanceId: fresh.instanceId,
      value,
      firstSeenAt: now,
      ttlSeconds: ctx.ttlSeconds,
    };
    await record(sighting, decision, 'APPROVED', { key: `approval:${shortHash(value)}` });

    let note = '';
    if (stored.phase === 'warned') {
      const expected = { rule: stored.rule, actAt: stored.actAt };
      const cleared: Decision = {
        ...base,
        rule: stored.rule,
        action: stored.action,
        actAt: stored.actAt.toISOString(),
        reason: `warning withdrawn: an approver approved the run until ${instant(until, now)}`,
      };
      const clear: StateChange = { kind: 'clear', instanceId: fresh.instanceId, expected, passId: ctx.stamp.passId };
      if (await record(clear, cleared, 'CLEARED')) {
        const key = `untag:cleared:${stored.rule}:${cleared.actAt}`;
        await actor.removeTags(fresh.instanceId, [warnedTag]).catch((e) => fail(cleared, key, 'untag failed', e));
        note = ` The planned ${stored.action} at ${instant(plannedAt(stored, claims, false), now)} is withdrawn.`;
      }
    } else if (stored.phase === 'acting') {
      note = ' The reaper was acting on it at that moment, so the approval may have come too late.';
    }
    const summary = `Approved until ${instant(until, now)}: that is now its deadline.${note}`;
    return { outcome: 'done', summary, events: namesOf(events) };
  };

  return { view, keep, stop, approve };
}

export type { OwnerEffectDeps };
export { ownerEffects };
