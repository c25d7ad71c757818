import { describe, expect, it } from 'vitest';
import { NEVER, nextTelemetryRead } from '../../../shared/engine';
import { ago, config, decide, instance, later, points, telemetry } from './fixtures';

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
