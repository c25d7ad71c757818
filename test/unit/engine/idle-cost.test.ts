import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideInstance, type GpuTelemetry, type InstanceFacts } from '../../../shared/engine';
import { ago, config, failed, instance, missing, NOW, points, telemetry } from './fixtures';

const G5_XLARGE = 1.006;

/** One decision with a price, like the pass makes it. */
function priced(
  series: GpuTelemetry,
  options: { hourlyUsd?: number | null; instance?: Partial<InstanceFacts>; now?: Date } = {},
) {
  const input = { instance: instance(options.instance), telemetry: series, warning: null };
  const hourlyUsd = 'hourlyUsd' in options ? options.hourlyUsd : G5_XLARGE;
  return decideInstance({ ...input, hourlyUsd }, config(), options.now ?? NOW);
}

describe('idle minutes and the money burned while idle', () => {
  it.each([
    [
      'reports the whole read as a lower bound when nothing proves idleness since launch',
      telemetry(points(1)),
      60,
      1.01,
    ],
    [
      'reports idle since launch when the coarse read since launch stayed below the threshold',
      telemetry(points(1), { sinceLaunchMax: 2 }),
      180,
      3.02,
    ],
    [
      'reports the read as a lower bound when the GPU was busy before it',
      telemetry(points(1), { sinceLaunchMax: 50 }),
      60,
      1.01,
    ],
    ['reports the trailing run after the last busy minute', telemetry(points((i) => (i < 35 ? 80 : 1))), 25, 0.42],
    ['reports 0 when the latest minute is busy', telemetry(points((i) => (i === 59 ? 30 : 1))), 0, 0],
    ['reports unknown when telemetry is missing', missing(), null, null],
    ['reports unknown when telemetry could not be read', failed('boom', { points: points(1) }), null, null],
    ['reports unknown when no datapoint came back', telemetry([]), null, null],
    [
      'reports unknown when the idle run is covered too thinly',
      telemetry(points((i) => (i < 30 ? 80 : 1)).filter((_, i) => i < 30 || i % 3 === 0)),
      null,
      null,
    ],
  ])('%s', (_, series, idleMinutes, idleUsd) => {
    const decision = priced(series);
    expect(decision.hourlyUsd).toBe(G5_XLARGE);
    expect(decision.evidence).toMatchObject({ idleMinutes, idleUsd });
  });

  it('judges a short run on complete minutes: the current one needs no datapoint yet', () => {
    const now = new Date(NOW.getTime() + 30_000);
    const decision = priced(
      telemetry(
        points((i) => (i < 57 ? 80 : 1)),
        { to: now },
      ),
      { now },
    );
    expect(decision.evidence).toMatchObject({ idleMinutes: 3, idleUsd: 0.05 });
  });

  it('reports the whole running time for never-used', () => {
    const launchTime = ago('45m');
    const decision = priced(telemetry(points(1, { span: '45m' })), { instance: { launchTime } });
    expect(decision.rule).toBe('never-used');
    expect(decision.evidence).toMatchObject({ runningForMinutes: 45, idleMinutes: 45, idleUsd: 0.75 });
  });

  it('reports the idle minutes of an instance acted on for another rule', () => {
    const decision = priced(telemetry(points(1)), { instance: { launchTime: ago('13h') } });
    expect(decision.rule).toBe('max-runtime');
    expect(decision.evidence).toMatchObject({ idleMinutes: 60, idleUsd: 1.01 });
  });

  it.each([
    ['no price', undefined],
    ['an unknown price', null],
    ['a negative price', -1],
    ['a price that is not a number', Number.NaN],
  ])('never makes up money from %s: hourlyUsd and idleUsd are null', (_, hourlyUsd) => {
    const decision = priced(telemetry(points(1)), { hourlyUsd });
    expect(decision.hourlyUsd).toBeNull();
    expect(decision.evidence).toMatchObject({ idleMinutes: 60, idleUsd: null });
  });

  it('never reports more idle minutes than running minutes, nor money without both numbers', () => {
    const value = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true }));
    fc.assert(
      fc.property(
        fc.array(fc.option(value, { nil: undefined }), { minLength: 0, maxLength: 90 }),
        fc.integer({ min: 1, max: 600 }),
        fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
        fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
        (values, runningMinutes, sinceLaunchMax, hourlyUsd) => {
          const start = NOW.getTime() - values.length * 60_000;
          const series = values.flatMap((max, i) => (max === undefined ? [] : [{ at: start + i * 60_000, max }]));
          const launchTime = new Date(NOW.getTime() - runningMinutes * 60_000);
          const decision = priced(telemetry(series, { sinceLaunchMax }), { instance: { launchTime }, hourlyUsd });
          const { idleMinutes, idleUsd, runningForMinutes } = decision.evidence;
          if (idleMinutes !== null) {
            expect(idleMinutes).toBeGreaterThanOrEqual(0);
            expect(idleMinutes).toBeLessThanOrEqual(runningForMinutes);
          }
          expect(idleUsd === null).toBe(idleMinutes === null || hourlyUsd === null);
        },
      ),
    );
  });
});
