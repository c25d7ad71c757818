/**
 * A warning issued on a quiet host is cleared at the action pass when the host started working during the grace,
 * wherever EC2's 5-minute periods fall against the warning: the host is judged over the GPU rule's window, and over
 * the last `warning.grace` of it when it is busy there.
 */
import { describe, expect, it } from 'vitest';
import type { HostPoint, HostSamples } from '../../../../shared/engine/types';
import { decide, later, NOW, points, telemetry, warning } from '../fixtures';

const MIN = 60_000;
const MiB = 1024 * 1024;

/** Basic monitoring on the clock's 5-minute grid over the 3h before `now`: CPU `cpu(at)`, 0.01 MiB/min. */
function host(now: Date, cpu: (at: number) => number): HostSamples {
  const list: HostPoint[] = [];
  const from = now.getTime() - 180 * MIN;
  for (let at = Math.ceil(from / (5 * MIN)) * 5 * MIN; at < now.getTime(); at += 5 * MIN) {
    list.push({ at, cpuMax: cpu(at), networkBytes: 0.01 * MiB * 5 });
  }
  return { status: 'ok', points: list, from: new Date(from) };
}

/** The action pass `shift` minutes after NOW: warned 31 minutes earlier, due a minute ago. */
function actionPass(shift: number) {
  const now = later(`${shift}m`);
  const warnedAt = new Date(now.getTime() - 31 * MIN);
  return { now, warnedAt, due: new Date(now.getTime() - MIN) };
}

// Every offset of the warning against the 5-minute grid.
const SHIFTS = [0, 1, 2, 3, 4];

describe('a host that started working during the grace', () => {
  it.each(SHIFTS)('clears an idle warning (pass %i minutes past the grid)', (shift) => {
    const { now, warnedAt, due } = actionPass(shift);
    const gpu = telemetry(
      points((i) => (i < 30 ? 90 : 0), { span: '2h', now }),
      {
        from: new Date(now.getTime() - 120 * MIN),
        to: now,
      },
    );
    const decision = decide({
      now,
      telemetry: { ...gpu, host: host(now, (at) => (at >= warnedAt.getTime() ? 85 : 1)) },
      warning: warning('idle', due, warnedAt),
    });
    expect(decision).toMatchObject({ outcome: 'keep', rule: null });
    expect(decision.warningChange.kind).toBe('clear');
    expect(decision.reason).toMatch(
      /^warning for idle \(stop\) cleared: GPU idle for the last 1h \(max 0%\), but the host is busy: CPU max 85%/,
    );
    expect(decision.reason).toContain('the host is working');
    expect(decision.evidence.host).toMatchObject({ state: 'busy', cpuMax: 85, period: 300 });
    // Busy over the whole idle window when the grace holds half its periods, else over the grace alone.
    const { busyPeriods, periods } = decision.evidence.host!;
    expect(busyPeriods * 2).toBeGreaterThanOrEqual(periods);
  });

  it.each(SHIFTS)('clears a never-used warning (pass %i minutes past the grid)', (shift) => {
    const { now, warnedAt, due } = actionPass(shift);
    const launchTime = new Date(now.getTime() - 66 * MIN);
    const gpu = telemetry(points(0, { span: '66m', now }), { from: new Date(now.getTime() - 120 * MIN), to: now });
    const decision = decide({
      now,
      instance: { launchTime },
      telemetry: { ...gpu, host: host(now, (at) => (at >= warnedAt.getTime() ? 40 : 1)) },
      warning: warning('never-used', due, warnedAt),
    });
    expect(decision).toMatchObject({ outcome: 'keep', rule: null });
    expect(decision.warningChange.kind).toBe('clear');
    expect(decision.reason).toMatch(
      /^warning for never-used \(stop\) cleared: GPU never used in 1h6m since launch \(max 0%\), but the host is busy: CPU max 40%/,
    );
    expect(decision.reason).toContain('still setting up');
  });

  it.each(SHIFTS)('still stops when the host worked for less than half the grace (%i minutes past)', (shift) => {
    const { now, warnedAt, due } = actionPass(shift);
    const gpu = telemetry(
      points((i) => (i < 30 ? 90 : 0), { span: '2h', now }),
      {
        from: new Date(now.getTime() - 120 * MIN),
        to: now,
      },
    );
    const decision = decide({
      now,
      telemetry: { ...gpu, host: host(now, (at) => (at >= now.getTime() - 12 * MIN ? 85 : 1)) },
      warning: warning('idle', due, warnedAt),
    });
    expect(decision).toMatchObject({ outcome: 'act', rule: 'idle', action: 'stop' });
    expect(decision.reason).toContain('host quiet (CPU max 85%');
  });

  it('judges the whole window alone with warnings off (warning.grace 0m)', () => {
    const now = NOW;
    const gpu = telemetry(
      points((i) => (i < 30 ? 90 : 0), { span: '2h', now }),
      { from: new Date(now.getTime() - 120 * MIN) },
    );
    const decision = decide({
      now,
      config: { warning: { grace: '0m' } },
      telemetry: { ...gpu, host: host(now, (at) => (at >= now.getTime() - 25 * MIN ? 85 : 1)) },
    });
    // 5 of the idle window's 12 periods busy: not busy over the window, and no grace to look at.
    expect(decision).toMatchObject({ outcome: 'act', rule: 'idle' });
    expect(decision.evidence.host).toMatchObject({ state: 'quiet', periods: 12, busyPeriods: 5 });
  });

  it('keeps, on the first pass, a host that has worked through the last grace of an idle window', () => {
    const now = NOW;
    const gpu = telemetry(
      points((i) => (i < 30 ? 90 : 0), { span: '2h', now }),
      { from: new Date(now.getTime() - 120 * MIN) },
    );
    const decision = decide({
      now,
      telemetry: { ...gpu, host: host(now, (at) => (at >= now.getTime() - 25 * MIN ? 85 : 1)) },
    });
    expect(decision).toMatchObject({ outcome: 'keep', rule: null });
    expect(decision.reason).toContain('busy in 5 of 6 5-minute periods; the host is working');
    expect(decision.evidence.host).toMatchObject({ state: 'busy', periods: 6, busyPeriods: 5 });
  });
});
