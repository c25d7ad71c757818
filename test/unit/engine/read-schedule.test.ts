import { describe, expect, it } from 'vitest';
import { NEVER, nextTelemetryRead, outOfReachRead, surelyOutOfReach } from '../../../shared/engine';
import { ago, config, decide, instance, later, NOW, points, telemetry } from './fixtures';

const next = (series: ReturnType<typeof telemetry>, cfg = config(), launchTime = ago('3h')) =>
  nextTelemetryRead({ instance: instance({ launchTime }), telemetry: series }, cfg);

describe('nextTelemetryRead: reads that can change a decision, and no others', () => {
  it('waits min(idle.window, noTelemetry.after) after the last busy minute', () => {
    // Busy until 10 minutes ago (the last busy minute starts at NOW − 11m).
    const series = telemetry([...points(60, { span: '1h', until: '10m' }), ...points(1, { span: '10m' })]);
    expect(next(series)).toEqual(new Date(ago('11m').getTime() + 60_000 + 30 * 60_000));
    expect(next(series, config({ noTelemetry: { after: '2h' } }))).toEqual(
      new Date(ago('11m').getTime() + 60_000 + 60 * 60_000),
    );
  });

  it('reads every pass an instance with no busy minute since launch (an idle or never-used candidate)', () => {
    expect(next(telemetry(points(1)))).toBeNull();
    // Busy minutes from before the launch belong to an earlier run.
    expect(next(telemetry(points(90, { span: '1h', until: '10m' })), config(), ago('5m'))).toBeNull();
  });

  it('reads every pass what failed, or had no series', () => {
    expect(next({ ...telemetry(points(90)), status: 'error' })).toBeNull();
    expect(next({ ...telemetry([]), status: 'missing' })).toBeNull();
  });

  it('counts a minute busy only at or above both thresholds', () => {
    const series = telemetry(points(7));
    expect(next(series, config({ neverUsed: { threshold: 10 } }))).toBeNull();
    expect(next(series, config({ idle: { threshold: 5 }, neverUsed: { threshold: 5 } }))).not.toBeNull();
  });

  it('never needs a read again when idle and no-telemetry are both off (never-used cannot hold after busy)', () => {
    expect(next(telemetry(points(90)), config({ idle: { enabled: false }, noTelemetry: { enabled: false } }))).toEqual(
      NEVER,
    );
  });

  it('decides an unread instance as reading it would: keep, with the next read named', () => {
    const decision = decide({
      telemetry: { ...telemetry([]), status: 'unread', nextReadAt: later('20m') },
    });
    expect(decision).toMatchObject({ outcome: 'keep', rule: null });
    expect(decision.reason).toContain('not read again before');
    const overTime = decide({
      instance: { launchTime: ago('13h') },
      telemetry: { ...telemetry([]), status: 'unread', nextReadAt: later('20m') },
    });
    expect(overTime).toMatchObject({ outcome: 'warn', rule: 'max-runtime' });
  });
});

describe('outOfReachRead: instances kept out of reach by their tags are read at most hourly', () => {
  const optedOut = instance({ tags: { Owner: 'ana@example.com', 'gpu-reaper:opt-out': 'true' } });

  it('reads an opted-out instance an hour after its reading, and on the first pass of the next UTC day', () => {
    expect(outOfReachRead(optedOut, config(), NOW)).toEqual(later('1h'));
    const late = new Date('2025-06-02T23:40:00Z');
    expect(outOfReachRead(optedOut, config(), late)).toEqual(new Date('2025-06-03T00:00:00Z'));
  });

  it('reads at once (no schedule) once the opt-out tag is removed or says false', () => {
    expect(surelyOutOfReach(optedOut, config(), NOW)).toBe(true);
    const removed = instance({ tags: { Owner: 'ana@example.com' } });
    expect(surelyOutOfReach(removed, config(), NOW)).toBe(false);
    expect(outOfReachRead(removed, config(), NOW)).toBeNull();
    const off = instance({ tags: { 'gpu-reaper:opt-out': 'false' } });
    expect(outOfReachRead(off, config(), NOW)).toBeNull();
  });

  it('reads an opted-out instance as any other when approvals count (unapproved comes before opt-out)', () => {
    expect(
      outOfReachRead(optedOut, config({ gating: { threshold: 100, approvers: ['ml-leads@example.com'] } }), NOW),
    ).toBeNull();
  });

  it('schedules managed instances whatever gating says, an Auto Scaling member only under asgMembers: skip', () => {
    const eks = instance({ tags: { 'eks:cluster-name': 'ml' } });
    expect(
      outOfReachRead(eks, config({ gating: { threshold: 100, approvers: ['ml-leads@example.com'] } }), NOW),
    ).toEqual(later('1h'));
    const asg = instance({ tags: { 'aws:autoscaling:groupName': 'workers' } });
    expect(outOfReachRead(asg, config(), NOW)).toEqual(later('1h'));
    expect(outOfReachRead(asg, config({ actions: { asgMembers: 'stop' } }), NOW)).toBeNull();
  });

  it('decides an unread opted-out instance exactly as a read one: opt-out', () => {
    const unread = decide({
      instance: { tags: optedOut.tags },
      telemetry: { ...telemetry([]), status: 'unread', nextReadAt: later('1h') },
    });
    const read = decide({ instance: { tags: optedOut.tags }, telemetry: telemetry(points(1)) });
    expect(unread).toMatchObject({ outcome: 'skip', rule: 'opt-out', actAt: null });
    expect(read).toMatchObject({
      outcome: unread.outcome,
      rule: unread.rule,
      actAt: unread.actAt,
      reason: unread.reason,
    });
  });
});
