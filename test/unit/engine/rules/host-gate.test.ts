import { describe, expect, it } from 'vitest';
import { hostReadFrom } from '../../../../shared/engine';
import type { HostPoint, HostSamples } from '../../../../shared/engine/types';
import { ago, decide, instance, NOW, config as parsed, points, reaperTags, telemetry, warning } from '../fixtures';

const MiB = 1024 * 1024;

/**
 * EC2 host periods over `[now − span, now − until)`, every `step` minutes (5: basic monitoring, 1: detailed), each
 * with a CPU maximum and a network rate in MiB per minute (the period's bytes are rate × step).
 */
function host(
  cpu: number | ((index: number) => number),
  mibPerMinute: number,
  options: { span?: string; until?: string; step?: number } = {},
): HostSamples {
  const step = options.step ?? 5;
  const from = ago(options.span ?? '3h').getTime();
  const to = ago(options.until ?? '0m').getTime();
  const list: HostPoint[] = [];
  for (let at = Math.ceil(from / (step * 60_000)) * step * 60_000, i = 0; at < to; at += step * 60_000, i++) {
    list.push({ at, cpuMax: typeof cpu === 'number' ? cpu : cpu(i), networkBytes: mibPerMinute * MiB * step });
  }
  return { status: 'ok', points: list, from: new Date(from) };
}

const quiet = () => host(1, 0.01);
const downloading = () => host(60, 300);

describe('never-used on a working host', () => {
  const launched = { launchTime: ago('35m') };
  const gpuIdle = telemetry(points(0, { span: '35m' }), { from: ago('2h') });

  it('keeps a job still setting up (downloading) with the host numbers', () => {
    const decision = decide({ instance: launched, telemetry: { ...gpuIdle, host: downloading() } });
    expect(decision.outcome).toBe('keep');
    expect(decision.rule).toBeNull();
    expect(decision.reason).toMatch(/^GPU never used in 35m since launch \(max 0%\), but the host is busy: /);
    expect(decision.reason).toContain('CPU max 60%, network up to 300 MiB/min; busy in 5 of 5 5-minute periods');
    expect(decision.reason).toContain('still setting up');
    expect(decision.evidence.host).toMatchObject({
      state: 'busy',
      periods: 5,
      busyPeriods: 5,
      cpuMax: 60,
      networkMiBPerMinuteMax: 300,
      period: 300,
    });
  });

  it('warns a job that died at setup (quiet host), saying the host is quiet', () => {
    const decision = decide({ instance: launched, telemetry: { ...gpuIdle, host: quiet() } });
    expect(decision.outcome).toBe('warn');
    expect(decision.rule).toBe('never-used');
    expect(decision.reason).toContain(
      'host quiet (CPU max 1%, network up to 0.01 MiB/min; busy in 0 of 5 5-minute periods)',
    );
    expect(decision.evidence.host).toMatchObject({ state: 'quiet', busyPeriods: 0, periods: 5 });
  });

  it('judges by the GPUs alone when the host metrics are missing, failed or partial, and says so', () => {
    // 2 of the window's 5 periods reported (busy), 3 silent: could be either, so unknown.
    const partial = host(60, 300, { span: '25m', until: '15m' });
    for (const samples of [
      { status: 'missing', points: [] } as HostSamples,
      { status: 'error', points: [], error: 'GetMetricData: Throttling' } as HostSamples,
      partial,
      undefined,
    ]) {
      const decision = decide({ instance: launched, telemetry: { ...gpuIdle, ...(samples ? { host: samples } : {}) } });
      expect(decision.outcome).toBe('warn');
      expect(decision.rule).toBe('never-used');
      expect(decision.reason).toContain('host activity unknown');
    }
  });

  it('counts exactly half of the periods host-busy as busy', () => {
    const long = { launchTime: ago('1h15m') };
    const gpu = telemetry(points(0, { span: '1h15m' }), { from: ago('2h') });
    const busyFirst = (count: number) => host((i) => (i < count ? 80 : 1), 0.01, { span: '1h05m' });
    // Launch 10:45: the window after the agent's start-up is 10:55..12:00, 13 basic periods.
    expect(decide({ instance: long, telemetry: { ...gpu, host: busyFirst(7) } }).outcome).toBe('keep');
    expect(decide({ instance: long, telemetry: { ...gpu, host: busyFirst(6) } }).evidence.host).toMatchObject({
      state: 'quiet',
      periods: 13,
      busyPeriods: 6,
    });
    const half = decide({
      instance: { launchTime: ago('50m') },
      telemetry: {
        ...telemetry(points(0, { span: '50m' }), { from: ago('2h') }),
        host: host((i) => (i % 2 === 0 ? 80 : 1), 0.01),
      },
    });
    // 50m run: window 11:20..12:00 = 8 periods, 4 of them busy: exactly half is busy.
    expect(half.evidence.host).toMatchObject({ periods: 8, busyPeriods: 4, state: 'busy' });
    expect(half.outcome).toBe('keep');
  });

  it('reads detailed monitoring (1-minute periods) as such', () => {
    const decision = decide({ instance: launched, telemetry: { ...gpuIdle, host: host(55, 0, { step: 1 }) } });
    expect(decision.outcome).toBe('keep');
    expect(decision.evidence.host).toMatchObject({ period: 60, periods: 25, busyPeriods: 25 });
  });

  it('is off with activity.host.enabled false: GPU-only judgement, no host evidence', () => {
    const decision = decide({
      instance: launched,
      telemetry: { ...gpuIdle, host: downloading() },
      config: { activity: { host: { enabled: false } } },
    });
    expect(decision.rule).toBe('never-used');
    expect(decision.reason).not.toContain('host');
    expect(decision.evidence.host).toBeUndefined();
  });
});

describe('idle on a working host', () => {
  const between = telemetry(
    points((i) => (i < 30 ? 90 : 0), { span: '2h' }),
    { from: ago('2h') },
  );

  it('keeps a run preprocessing between epochs (CPU busy, GPU idle for the window)', () => {
    const decision = decide({ telemetry: { ...between, host: host(95, 1) } });
    expect(decision.outcome).toBe('keep');
    expect(decision.reason).toMatch(/^GPU idle for the last 1h \(max 0%\), but the host is busy: CPU max 95%/);
    expect(decision.reason).toContain('the host is working');
    expect(decision.evidence.host).toMatchObject({ state: 'busy', periods: 12, busyPeriods: 12 });
  });

  it('warns an idle notebook whose host is quiet, as before', () => {
    const decision = decide({ telemetry: { ...between, host: quiet() } });
    expect(decision.outcome).toBe('warn');
    expect(decision.rule).toBe('idle');
    expect(decision.reason).toContain('host quiet');
  });

  it('clears a warning at the action pass when the host became busy during the grace, saying so', () => {
    const pending = warning('idle', ago('1m'), ago('31m'));
    const decision = decide({ telemetry: { ...between, host: host(95, 1) }, warning: pending });
    expect(decision.outcome).toBe('keep');
    expect(decision.warningChange.kind).toBe('clear');
    expect(decision.reason).toMatch(
      /^warning for idle \(stop\) cleared: GPU idle for the last 1h .*but the host is busy/,
    );
  });

  it('never stops at the action pass when the host read failed: the action waits, the warning stays', () => {
    const pending = warning('idle', ago('1m'), ago('31m'));
    const failedHost: HostSamples = { status: 'error', points: [], error: 'GetMetricData: Throttling' };
    const decision = decide({ telemetry: { ...between, host: failedHost }, warning: pending });
    expect(decision.outcome).toBe('warn');
    expect(decision.warningChange.kind).toBe('none');
    expect(decision.reason).toContain('host activity unknown (the host metrics could not be read');
    expect(decision.reason).toContain('the stop waits for a pass that can read the host (GetMetricData: Throttling)');
    // Missing host metrics are no failure: GPU-only judgement acts as before.
    const missingHost: HostSamples = { status: 'missing', points: [] };
    expect(decide({ telemetry: { ...between, host: missingHost }, warning: pending }).outcome).toBe('act');
  });

  it('never lets a busy host hide max-runtime', () => {
    const decision = decide({
      instance: { launchTime: ago('13h') },
      telemetry: { ...telemetry(points(0, { span: '2h' }), { from: ago('2h'), sinceLaunchMax: 0 }), host: host(95, 1) },
    });
    expect(decision.rule).toBe('max-runtime');
  });
});

describe('gpu-idle-host-busy', () => {
  const idleTwoHours = telemetry(points(0, { span: '2h' }), { from: ago('2h') });

  it('notifies once GPUs were unused for notifyAfter on a busy host, counting the unused minutes', () => {
    const decision = decide({ telemetry: { ...idleTwoHours, host: host(70, 2) } });
    expect(decision.outcome).toBe('notify');
    expect(decision.rule).toBe('gpu-idle-host-busy');
    expect(decision.action).toBe('notify');
    expect(decision.reason).toMatch(
      /^GPUs unused for 2h while the host works \(CPU max 70%.*\): a CPU job on a GPU instance\?/,
    );
    expect(decision.evidence.idleMinutes).toBe(120);
    expect(decision.evidence.host).toMatchObject({ state: 'busy', periods: 24, busyPeriods: 24 });
  });

  it('does not notify before notifyAfter, nor on a quiet host', () => {
    const recent = telemetry(
      points((i) => (i < 50 ? 90 : 0), { span: '2h' }),
      { from: ago('2h') },
    );
    expect(decide({ telemetry: { ...recent, host: host(70, 2) } }).outcome).toBe('keep');
    expect(decide({ telemetry: { ...idleTwoHours, host: quiet() } }).rule).toBe('idle');
  });

  it('notifies for a job that never used its GPUs in 2h of host work', () => {
    const decision = decide({
      instance: { launchTime: ago('2h10m') },
      telemetry: { ...telemetry(points(0, { span: '2h' }), { from: ago('2h'), sinceLaunchMax: 0 }), host: host(70, 2) },
    });
    expect(decision.rule).toBe('gpu-idle-host-busy');
    expect(decision.reason).toContain('GPUs unused for 2h10m');
  });
});

describe('hostReadFrom', () => {
  const config = parsed();

  it('starts at the earliest window a judgement needs, never before launch', () => {
    // 35m run: the never-used window starts 10 min after launch; the 2h notify window would start before launch.
    expect(hostReadFrom(instance({ launchTime: ago('35m') }), config, NOW)).toEqual(ago('35m'));
    expect(hostReadFrom(instance({ launchTime: ago('3h') }), config, NOW)).toEqual(ago('2h50m'));
    // A day's run: at most the last 24h.
    expect(hostReadFrom(instance({ launchTime: ago('3d') }), config, NOW)).toEqual(ago('24h'));
  });

  it('reads nothing for a young, opted-out or managed instance, or with host activity off', () => {
    expect(hostReadFrom(instance({ launchTime: ago('20m') }), config, NOW)).toBeNull();
    expect(hostReadFrom(instance({ tags: reaperTags({ 'opt-out': 'true' }) }), config, NOW)).toBeNull();
    expect(hostReadFrom(instance({ tags: { 'aws:autoscaling:groupName': 'pool' } }), config, NOW)).toBeNull();
    expect(hostReadFrom(instance(), parsed({ activity: { host: { enabled: false } } }), NOW)).toBeNull();
  });
});
