/**
 * How a decision explains itself: the reason is what an owner reads in a notification and an operator in the
 * audit trail, so these tests pin whole reasons (what holds; what replaced the action; what will happen, and when),
 * not fragments.
 */
import { describe, expect, it } from 'vitest';
import { ago, decide, later, NOW, points, reaperTags, telemetry, warning } from './fixtures';

const idleSeries = telemetry(points(1));
const busySeries = telemetry(points(80));
const idleHolds =
  'GPU max 1% < 5% for every minute of the last 1h (60/60 min, coverage 100%); host activity unknown (not read)';

describe('the reason of an acting rule', () => {
  it('warns in one line: what holds, then what will happen and when', () => {
    expect(decide({ telemetry: idleSeries }).reason).toBe(
      `${idleHolds}; will stop at 12:30 UTC (in 30m) unless this changes`,
    );
  });

  it('says nothing of the action tag when it names the configured action', () => {
    const decision = decide({ instance: { tags: reaperTags({ action: 'stop' }) }, telemetry: idleSeries });
    expect(decision.reason).toBe(`${idleHolds}; will stop at 12:30 UTC (in 30m) unless this changes`);
  });

  it('says nothing of asgMembers when it names the action the rule already takes', () => {
    const decision = decide({
      instance: { tags: { 'aws:autoscaling:groupName': 'training-asg' } },
      telemetry: idleSeries,
      config: { actions: { asgMembers: 'stop' } },
    });
    expect(decision.reason).toBe(`${idleHolds}; will stop at 12:30 UTC (in 30m) unless this changes`);
  });

  it('warns with the replacement of the action and why, before what will happen', () => {
    const decision = decide({ instance: { tags: reaperTags({ action: 'terminate' }) }, telemetry: idleSeries });
    expect(decision.reason).toBe(
      `${idleHolds}; action terminate chosen by tag gpu-reaper:action; ` +
        'will terminate at 12:30 UTC (in 30m) unless this changes',
    );
  });

  it('notifies with why a stop was impossible', () => {
    const decision = decide({ instance: { rootDeviceType: 'instance-store' }, telemetry: idleSeries });
    expect(decision.reason).toBe(
      `${idleHolds}; stop impossible (instance-store root volume): notify instead (actions.whenStopImpossible)`,
    );
  });

  it('never acts when protection forbids it, and says what it would have done', () => {
    const decision = decide({ instance: { protection: { stop: true, termination: false } }, telemetry: idleSeries });
    expect(decision.reason).toBe(`${idleHolds}; would stop, but stop protection is on`);
  });

  it('acts on a warning read from the tag, whose time of issue is unknown', () => {
    const decision = decide({
      instance: { tags: reaperTags({ warned: `idle@${ago('1m').toISOString()}` }) },
      telemetry: idleSeries,
      warning: undefined,
    });
    expect(decision.outcome).toBe('act');
    expect(decision.reason).toBe(`${idleHolds}; warned; stop due since 11:59 UTC (1m ago)`);
  });

  it('keeps warning on a pending warning with the time it went out', () => {
    const decision = decide({ telemetry: idleSeries, warning: warning('idle', later('10m'), ago('20m')) });
    expect(decision.outcome).toBe('warn');
    expect(decision.reason).toBe(`${idleHolds}; warned at 11:40 UTC; stop at 12:10 UTC (in 10m)`);
  });

  it('appends a guessed GPU and every ignored tag after the decision', () => {
    const decision = decide({
      instance: {
        instanceType: 'p9.xlarge',
        gpu: { hasGpu: true, count: 1, source: 'family-fallback' },
        tags: reaperTags({ 'max-runtime': 'forever' }),
      },
      telemetry: idleSeries,
    });
    expect(decision.reason).toBe(
      `${idleHolds}; will stop at 12:30 UTC (in 30m) unless this changes; ` +
        'GPU assumed from the instance family (p9.xlarge unknown to DescribeInstanceTypes); ' +
        'tag gpu-reaper:max-runtime="forever" ignored: not a duration (use e.g. 90m, 36h, 3d)',
    );
  });
});

describe('the reason of a deadline', () => {
  it('says the instance expires before the deadline', () => {
    const decision = decide({
      instance: { tags: reaperTags({ 'expires-at': later('30m').toISOString() }) },
      telemetry: busySeries,
    });
    expect(decision.outcome).toBe('warn');
    expect(decision.reason).toBe(
      'expires at 12:30 UTC (in 30m) (tag gpu-reaper:expires-at); ' +
        'will stop at 12:30 UTC (in 30m) unless this changes',
    );
  });

  it('says the instance expired from the deadline on', () => {
    const decision = decide({
      instance: { tags: reaperTags({ 'expires-at': NOW.toISOString() }) },
      telemetry: busySeries,
    });
    expect(decision.reason).toMatch(/^expired at 12:00 UTC \(now\) \(tag gpu-reaper:expires-at\); /);
  });

  it('names the max-runtime tag as the limit, and the deadline', () => {
    const decision = decide({ instance: { tags: reaperTags({ 'max-runtime': '2h' }) }, telemetry: busySeries });
    expect(decision.reason).toMatch(
      /^running 3h of a 2h max runtime \(tag gpu-reaper:max-runtime\), deadline 11:00 UTC \(1h ago\); /,
    );
  });

  it('keeps a busy instance and names the deadline still ahead', () => {
    expect(decide({ telemetry: busySeries }).reason).toBe(
      'no rule applies: running 3h, GPU busy (max 80% ≥ 5% in the last 1h); ' +
        'max-runtime deadline 21:00 UTC (in 9h)',
    );
  });

  it('names the snooze and its tag', () => {
    const decision = decide({
      instance: { tags: reaperTags({ 'snooze-until': later('2h').toISOString() }) },
      telemetry: idleSeries,
    });
    expect(decision.reason).toBe('snoozed until 14:00 UTC (in 2h) (tag gpu-reaper:snooze-until)');
  });
});
