/**
 * Right-sizing of one instance (shared/report/right-sizing.ts) and the catalog pick, on hand-made per-GPU and rollup
 * histories with the bundled prices: every saving is computed by hand below.
 */
import { describe, expect, it } from 'vitest';
import type { InstanceHistory } from '../../../shared/engine/replay/types';
import { gpuCountOf } from '../../../shared/prices/gpu-type-catalog';
import { hourlyUsd } from '../../../shared/prices/on-demand-prices';
import { ROLLUP_REASON, rightSizingOf, smallestFit } from '../../../shared/report/right-sizing';

const DAY_MS = 86_400_000;
const priceOf = (type: string) => hourlyUsd(type);

/** A history of `type` at its bundled price whose GPUs were busy `busy` at once at the most. */
function multiGpu(type: string, busy: number, overrides: Partial<InstanceHistory> = {}): InstanceHistory {
  const gpus = gpuCountOf(type) ?? 1;
  return {
    instanceId: 'i-0aaaaaaaaaaaaaaa1',
    instanceType: type,
    owner: null,
    tags: {},
    hourlyUsd: hourlyUsd(type),
    minutes: new Float32Array([50, 50, 1]),
    gpuTelemetry: 'per-gpu',
    gpuCount: gpus,
    busyGpus: Uint8Array.from([busy, Math.max(0, busy - 1), 0]),
    ...overrides,
  };
}

/** 600 running minutes (10 hours) over a 1-day audit: the weekly saving is (price − suggested) × 10 h × 7. */
const CONTEXT = { runningMinutes: 600, periodMs: DAY_MS, priceOf };

describe('the catalog pick', () => {
  it.each([
    ['g5.12xlarge', 1, 'g5.xlarge'],
    ['g5.48xlarge', 3, 'g5.12xlarge'],
    ['g5.48xlarge', 4, 'g5.12xlarge'],
    ['g4dn.12xlarge', 1, 'g4dn.xlarge'],
    ['g4ad.16xlarge', 2, 'g4ad.8xlarge'],
    ['p3.16xlarge', 4, 'p3.8xlarge'],
    ['g5.12xlarge', 0, 'g5.xlarge'],
  ])('suggests for %s using %i GPUs the cheapest same-family type with enough: %s', (type, needed, expected) => {
    expect(smallestFit(type, needed, priceOf)?.instanceType).toBe(expected);
  });

  it.each([
    ['p4d.24xlarge', 8],
    ['p4d.24xlarge', 2],
    ['g5.12xlarge', 4],
    ['p5.48xlarge', 1],
  ])('suggests nothing for %s using %i GPUs (no smaller type with a known price)', (type, needed) => {
    expect(smallestFit(type, needed, priceOf)).toBeNull();
  });

  it('never suggests a type without a price, nor one dearer than the instance', () => {
    const noSmallPrice = (type: string) => (type === 'g5.xlarge' ? null : hourlyUsd(type));
    expect(smallestFit('g5.12xlarge', 1, noSmallPrice)?.instanceType).toBe('g5.2xlarge');
    expect(smallestFit('g5.12xlarge', 1, priceOf, 1)).toBeNull();
  });
});

describe('rightSizingOf', () => {
  it('suggests g5.xlarge for a g5.12xlarge that used one GPU, with the weekly saving', () => {
    // (5.672 − 1.006) × 10 h × 7 days / 1 day = 326.62
    expect(rightSizingOf(multiGpu('g5.12xlarge', 1), CONTEXT)).toEqual({
      kind: 'suggestion',
      suggestion: {
        instanceId: 'i-0aaaaaaaaaaaaaaa1',
        instanceType: 'g5.12xlarge',
        gpus: 4,
        gpusEverBusy: 1,
        suggestedType: 'g5.xlarge',
        weeklySavingUsd: 326.62,
      },
    });
  });

  it('scales the saving to a week from the period', () => {
    // g5.48xlarge using 3 → g5.12xlarge: (16.288 − 5.672) × 10 h, over 7 days = 106.16 a week.
    const verdict = rightSizingOf(multiGpu('g5.48xlarge', 3), { ...CONTEXT, periodMs: 7 * DAY_MS });
    expect(verdict).toMatchObject({ suggestion: { suggestedType: 'g5.12xlarge', weeklySavingUsd: 106.16 } });
  });

  it('says nothing of a p4d.24xlarge that used all 8 GPUs at once', () => {
    expect(rightSizingOf(multiGpu('p4d.24xlarge', 8), CONTEXT)).toBeNull();
  });

  it('lists a rollup-only multi-GPU instance as unjudged, with the reason', () => {
    const rollup = multiGpu('g5.12xlarge', 0, { gpuTelemetry: 'rollup', busyGpus: undefined, gpuCount: 0 });
    expect(rightSizingOf(rollup, CONTEXT)).toEqual({
      kind: 'unjudged',
      unjudged: { instanceId: 'i-0aaaaaaaaaaaaaaa1', instanceType: 'g5.12xlarge', gpus: 4, reason: ROLLUP_REASON },
    });
  });

  it('never judges when some GPUs publish no series of their own (the silent one may have been busy)', () => {
    const verdict = rightSizingOf(multiGpu('g5.12xlarge', 1, { gpuCount: 2 }), CONTEXT);
    expect(verdict).toMatchObject({ kind: 'unjudged', unjudged: { reason: expect.stringMatching(/only 2 of its 4/) } });
  });

  it('never lists a one-GPU instance, nor a type the catalog does not know', () => {
    expect(rightSizingOf(multiGpu('g5.xlarge', 1), CONTEXT)).toBeNull();
    expect(rightSizingOf(multiGpu('g5.xlarge', 0, { gpuTelemetry: 'rollup' }), CONTEXT)).toBeNull();
    expect(rightSizingOf(multiGpu('x9.mystery', 1, { gpuCount: 4 }), CONTEXT)).toBeNull();
  });

  it('counts GPUs by concurrency, not by how many were ever busy at different times', () => {
    // Each GPU busy in its own minute: never more than one at once.
    const history = multiGpu('g5.12xlarge', 1, { busyGpus: Uint8Array.from([1, 1, 1, 1]) });
    expect(rightSizingOf(history, CONTEXT)).toMatchObject({ suggestion: { gpusEverBusy: 1 } });
  });
});
