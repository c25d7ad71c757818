import { describe, expect, it } from 'vitest';
import { normalizePoints } from '../../../../shared/engine';
import { idle } from '../../../../shared/engine/rules';
import { ago, context, decide, failed, missing, NOW, points, telemetry } from '../fixtures';

/** Sixty one-minute points at `value`, with the first `gaps` minutes missing. */
const withGaps = (gaps: number, value = 1) => points(value).slice(gaps);
const justOver = (duration: string) => new Date(ago(duration).getTime() - 1);

describe('idle: the rule', () => {
  it.each([
    ['warns when every minute of the window is below the threshold', {}, true],
    ['never acts when running exactly the window', { instance: { launchTime: ago('1h') } }, false],
    ['warns when running just longer than the window', { instance: { launchTime: justOver('1h') } }, true],
    ['warns when coverage is exactly minCoverage (48/60)', { telemetry: telemetry(withGaps(12)) }, true],
    ['never acts when coverage is just under minCoverage (47/60)', { telemetry: telemetry(withGaps(13)) }, false],
    [
      'never acts when the maximum reaches the threshold',
      { telemetry: telemetry(points((i) => (i === 30 ? 5 : 0))) },
      false,
    ],
    ['warns when the maximum is just below the threshold', { telemetry: telemetry(points(4.99)) }, true],
    ['never acts when telemetry is missing', { telemetry: missing() }, false],
    ['never acts when telemetry could not be read', { telemetry: failed('boom', { points: points(0) }) }, false],
    ['never acts when the rule is disabled', { config: { idle: { enabled: false } } }, false],
    ['honours a higher threshold', { telemetry: telemetry(points(9)), config: { idle: { threshold: 10 } } }, true],
    ['honours a longer window', { config: { idle: { window: '2h' } } }, false],
    [
      'warns for a fractional GPU (count 0)',
      { instance: { gpu: { hasGpu: true, count: 0, source: 'instance-types' as const } } },
      true,
    ],
  ])('%s', (_, scenario, holds) => {
    const found = idle(context({ telemetry: telemetry(points(1)), ...scenario }));
    expect(found?.rule ?? null).toBe(holds ? 'idle' : null);
  });

  it('treats one busy GPU of eight as busy: points of the same minute merge by their maximum', () => {
    const perGpu = Array.from({ length: 8 }, (_, gpu) => points(gpu === 7 ? 80 : 0)).flat();
    const series = telemetry(perGpu, { source: 'per-gpu', gpuSeries: 8 });
    const decision = decide({ instance: { instanceType: 'p4d.24xlarge' }, telemetry: series });
    expect(normalizePoints(perGpu)).toHaveLength(60);
    expect(decision.outcome).toBe('keep');
    expect(decision.evidence).toMatchObject({ maxUtilization: 80, gpuSeries: 8 });
  });

  it('explains itself with the numbers', () => {
    const series = telemetry(points((i) => (i === 10 ? 2.14 : 1)).slice(2));
    const found = idle(context({ telemetry: series }));
    expect(found?.reason).toBe('GPU max 2.1% < 5% for every minute of the last 1h (58/60 min, coverage 97%)');
    expect(found?.evidence).toEqual({
      window: { from: ago('1h').toISOString(), to: NOW.toISOString(), minutes: 60 },
      datapoints: 58,
      coverage: 58 / 60,
      maxUtilization: 2.14,
      threshold: 5,
      minCoverage: 0.8,
    });
  });
});
