import { describe, expect, it } from 'vitest';
import { decideInstance, type InstanceInput } from '../../../../shared/engine';
import { buildContext } from '../../../../shared/engine/build-context';
import { projectedCost } from '../../../../shared/engine/projected-cost';
import { ago, config, instance, later, NOW, points, reaperTags, telemetry, warning } from '../fixtures';

const P4D = 21.9576;
const GATING = { gating: { threshold: 200, approvers: ['ml-leads@example.com'] } };
/** Busy GPUs: only the gate (or a deadline) can name the decision. */
const busy = () => telemetry(points(80, { span: '2h' }));

function decide(
  tags: Record<string, string> = {},
  options: Partial<InstanceInput> & { config?: Parameters<typeof config>[0]; now?: Date } = {},
) {
  const { config: overrides = GATING, now = NOW, ...input } = options;
  return decideInstance(
    {
      instance: instance({
        instanceType: 'p4d.24xlarge',
        launchTime: ago('20m'),
        tags: { Owner: 'ana@x.io', ...tags },
      }),
      telemetry: busy(),
      warning: null,
      hourlyUsd: P4D,
      ...input,
    },
    config(overrides),
    now,
  );
}

describe('projected cost', () => {
  const cost = (tags: Record<string, string>, overrides = {}) =>
    projectedCost(
      buildContext(instance({ launchTime: ago('20m'), tags: reaperTags(tags) }), busy(), config(overrides), NOW, null, {
        hourlyUsd: P4D,
      }),
    );

  it('is the hourly price × the default max runtime', () => {
    expect(cost({})).toEqual({
      hourlyUsd: P4D,
      allowedRuntimeMs: 12 * 3_600_000,
      projectedUsd: 263.49,
      bound: 'maxRuntime.default',
    });
  });

  it('takes the max-runtime tag, capped at the ceiling', () => {
    expect(cost({ 'max-runtime': '8h' })?.projectedUsd).toBe(175.66);
    expect(cost({ 'max-runtime': '30d' })).toMatchObject({ allowedRuntimeMs: 7 * 86_400_000, projectedUsd: 3688.88 });
    expect(cost({ 'max-runtime': '30d' })?.bound).toContain('capped at the 7d ceiling');
  });

  it('takes the time to expires-at when it is sooner', () => {
    const expiry = later('40m').toISOString();
    expect(cost({ 'expires-at': expiry })).toMatchObject({ allowedRuntimeMs: 60 * 60_000, projectedUsd: 21.96 });
    expect(cost({ 'expires-at': expiry })?.bound).toBe('tag gpu-reaper:expires-at');
  });

  it('is unknown without a price', () => {
    expect(projectedCost(buildContext(instance(), busy(), config(), NOW))).toBeNull();
  });
});

describe('rule unapproved', () => {
  it('warns a run projected at or above the threshold, with stop after gating.grace', () => {
    const decision = decide();
    expect(decision).toMatchObject({ outcome: 'warn', rule: 'unapproved', action: 'stop' });
    expect(decision.actAt).toBe(later('15m').toISOString());
    expect(decision.evidence).toMatchObject({ projectedUsd: 263.49, hourlyUsd: P4D, allowedRuntime: '12h' });
    expect(decision.reason).toMatch(
      /^projected cost \$263\.49 \(p4d\.24xlarge at \$21\.9576\/h × 12h, maxRuntime\.default\) reaches the \$200\.00 approval threshold, and no approval \(tag gpu-reaper:approved-until\); will stop at/,
    );
  });

  it('gates at the threshold exactly, and not a cent under it', () => {
    expect(decide({}, { hourlyUsd: 200 / 12 })).toMatchObject({ rule: 'unapproved' });
    expect(decide({}, { hourlyUsd: 199.99 / 12 })).toMatchObject({ outcome: 'keep' });
  });

  it('keeps a run under the threshold, and is off without gating', () => {
    expect(decide({ 'gpu-reaper:max-runtime': '8h' })).toMatchObject({ outcome: 'keep', rule: null });
    expect(decide({}, { config: {} })).toMatchObject({ outcome: 'keep', rule: null });
  });

  it('comes before opt-out and snooze, and the owner action tag does not soften it', () => {
    const tags = {
      'gpu-reaper:opt-out': 'true',
      'gpu-reaper:snooze-until': later('4h').toISOString(),
      'gpu-reaper:action': 'notify',
    };
    expect(decide(tags)).toMatchObject({ outcome: 'warn', rule: 'unapproved', action: 'stop' });
  });

  it('acts with actions.unapproved once gating.grace has passed since delivery', () => {
    const pending = { ...warning('unapproved', ago('1m'), ago('16m'), 'terminate'), deliveredAt: ago('16m') };
    const acted = decide({}, { warning: pending, config: { ...GATING, actions: { unapproved: 'terminate' } } });
    expect(acted).toMatchObject({ outcome: 'act', rule: 'unapproved', action: 'terminate' });
  });

  it('does not gate instances another system manages', () => {
    expect(decide({ 'aws:autoscaling:groupName': 'training' })).toMatchObject({
      outcome: 'skip',
      rule: 'managed-by-asg',
    });
    expect(decide({ 'eks:cluster-name': 'ml' })).toMatchObject({ rule: 'managed-by-service' });
  });

  it('does not gate a run without a price (nothing to project)', () => {
    const decision = decide({}, { hourlyUsd: null });
    expect(decision).toMatchObject({ outcome: 'keep', rule: null });
  });
});

describe('approval', () => {
  const approved = (until: Date) => ({ 'gpu-reaper:approved-until': until.toISOString() });

  it('exempts the run and becomes its max-runtime deadline, warned warnAhead before it', () => {
    const decision = decide(approved(later('24h')));
    expect(decision).toMatchObject({ outcome: 'keep', rule: null });
    expect(decision.reason).toContain('max-runtime deadline');
    expect(decision.reason).toContain('(approved until then)');
    const due = decide(approved(later('30m')));
    expect(due).toMatchObject({ outcome: 'warn', rule: 'max-runtime', actAt: later('30m').toISOString() });
    expect(due.evidence).toMatchObject({ approvedUntil: later('30m').toISOString() });
  });

  it('is recorded once: a value the state table has seen is not new', () => {
    const until = later('24h');
    const first = decide(approved(until));
    expect(first.approvalSeen).toMatchObject({ value: until.toISOString(), until, capped: false });
    const again = decide(approved(until), { approval: { value: until.toISOString(), firstSeenAt: ago('1h') } });
    expect(again.approvalSeen).toBeNull();
  });

  it('is capped at maxRuntime.ceiling from when the reaper first saw it', () => {
    const far = later('30d');
    const firstSeenAt = ago('6d');
    const decision = decide(approved(far), { approval: { value: far.toISOString(), firstSeenAt } });
    const cap = new Date(firstSeenAt.getTime() + 7 * 86_400_000);
    expect(decision).toMatchObject({ outcome: 'keep' });
    expect(decision.reason).toContain('max-runtime deadline');
    const after = decide(approved(far), {
      approval: { value: far.toISOString(), firstSeenAt },
      now: new Date(cap.getTime() + 60_000),
      instance: instance({
        instanceType: 'p4d.24xlarge',
        launchTime: ago('20m', new Date(cap.getTime())),
        tags: approved(far),
      }),
    });
    // Past the cap the approval has ended: gated again.
    expect(after).toMatchObject({ rule: 'unapproved' });
    expect(after.reason).toContain('its approval ended');
  });

  it('is none when the value does not parse (owner told) or is already past', () => {
    const bad = decide({ 'gpu-reaper:approved-until': 'tomorrow' });
    expect(bad).toMatchObject({ rule: 'unapproved' });
    expect(bad.tagProblems).toEqual([expect.objectContaining({ tag: 'gpu-reaper:approved-until', value: 'tomorrow' })]);
    const past = decide(approved(ago('2h')));
    expect(past).toMatchObject({ rule: 'unapproved' });
    expect(past.reason).toContain('its approval ended');
    expect(past.approvalSeen).toBeNull();
  });

  it('counts only the exact key the approvers policy guards, not a look-alike an owner could write', () => {
    const until = later('24h').toISOString();
    expect(decide({ 'Gpu-Reaper:Approved-Until': until })).toMatchObject({ rule: 'unapproved' });
    expect(decide({ ' gpu-reaper:approved-until': until })).toMatchObject({ rule: 'unapproved' });
  });

  it('acts at the approved deadline when it ends, its max-runtime warning pending, without a new grace', () => {
    const until = ago('1m');
    const pending = { ...warning('max-runtime', until, ago('61m')), deliveredAt: ago('61m') };
    const due = decide(approved(until), { warning: pending });
    expect(due).toMatchObject({ outcome: 'act', rule: 'max-runtime', action: 'stop' });
    expect(due.reason).toContain('its approval ended');
    // A cheap run with a stale approval is not held to it: without that warning, a past approval is simply none.
    expect(decide(approved(ago('1m')), { hourlyUsd: 1 })).toMatchObject({ outcome: 'keep', rule: null });
  });

  it('clears a pending unapproved warning', () => {
    const pending = { ...warning('unapproved', later('10m'), ago('5m')), deliveredAt: ago('5m') };
    const cleared = decide(approved(later('24h')), { warning: pending });
    expect(cleared.warningChange).toMatchObject({ kind: 'clear' });
    expect(cleared.reason).toMatch(/^warning for unapproved \(stop\) cleared: /);
  });
});

describe('a team over its budget', () => {
  const over = { team: 'research', monthUsd: 20_140, budgetUsd: 20_000 };

  it('needs approval for every run, even a cheap one or one without a price', () => {
    const decision = decide(
      {},
      { hourlyUsd: 1.006, budget: over, config: { budgets: { monthlyUsd: { '*': 20_000 } } } },
    );
    expect(decision).toMatchObject({ outcome: 'warn', rule: 'unapproved' });
    expect(decision.reason).toMatch(
      /^team "research" is over its \$20,000\.00 monthly budget \(\$20,140\.00 spent this month\): every run needs approval until the month ends; projected cost \$12\.07/,
    );
    expect(decision.evidence).toMatchObject({ approvalThresholdUsd: 0, overBudget: true });
    const unpriced = decide({}, { hourlyUsd: null, budget: over, config: { budgets: { monthlyUsd: { '*': 1 } } } });
    expect(unpriced).toMatchObject({ rule: 'unapproved' });
  });

  it('does not gate a team under its budget', () => {
    const under = { ...over, monthUsd: 19_999 };
    const decision = decide({}, { budget: under, config: { budgets: { monthlyUsd: { '*': 20_000 } } } });
    expect(decision).toMatchObject({ outcome: 'keep' });
  });
});
