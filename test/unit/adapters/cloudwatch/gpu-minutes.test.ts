import { describe, expect, it } from 'vitest';
import { MinuteMerger, mergeMinutes } from '../../../../shared/adapters/cloudwatch/gpu-minutes';

const FROM = Date.parse('2030-01-01T11:00:00Z');
const MIN = 60_000;
const perGpu = (gpu: string, samples: { at: number; value: number }[]) => ({
  source: 'CWAgent/nvidia_smi_utilization_gpu',
  gpu,
  stat: 'Maximum' as const,
  trusted: false,
  samples,
});

describe('per-minute coverage is per GPU', () => {
  it('covers a minute only when every GPU reported in it, and keeps the others as partial', () => {
    const points = mergeMinutes(
      [
        perGpu('0', [{ at: FROM, value: 95 }]),
        perGpu('1', [
          { at: FROM, value: 0 },
          { at: FROM + MIN, value: 0 },
        ]),
      ],
      2,
      FROM,
      FROM + 2 * MIN,
    );
    expect(points).toEqual([
      { at: FROM, max: 95 },
      { at: FROM + MIN, max: 0, partial: true },
    ]);
  });

  it('counts two series of one GPU (its name changed) as one GPU, never as two', () => {
    const points = mergeMinutes(
      [perGpu('0', [{ at: FROM, value: 1 }]), perGpu('0', [{ at: FROM, value: 2 }])],
      2,
      FROM,
      FROM + MIN,
    );
    expect(points).toEqual([{ at: FROM, max: 2, partial: true }]);
  });

  it('takes a rollup as covering only when trusted, or proven by its SampleCount', () => {
    const rollup = { source: 's', gpu: null, stat: 'Maximum' as const, trusted: false };
    const merger = new MinuteMerger(FROM, FROM + 2 * MIN, 4);
    merger.add(rollup, FROM, 1);
    merger.add(rollup, FROM + MIN, 1);
    merger.add({ ...rollup, stat: 'SampleCount' }, FROM, 4);
    merger.add({ ...rollup, stat: 'SampleCount' }, FROM + MIN, 3);
    expect(merger.points()).toEqual([
      { at: FROM, max: 1 },
      { at: FROM + MIN, max: 1, partial: true },
    ]);
  });
});
