/**
 * Accelerators in words and in scope: whole GPUs by count, fractional ones by logical count and share, Neuron by
 * its cores; a pass looks at GPUs, and at Trainium and Inferentia only when told.
 */
import { describe, expect, it } from 'vitest';
import { gpuCountLabel, isAcceleratedFor } from '../../../shared/engine/gpu-count';
import type { GpuInfo } from '../../../shared/engine/types';

const described = (facts: Omit<GpuInfo, 'source'>): GpuInfo => ({ ...facts, source: 'instance-types' });

const g5 = described({ hasGpu: true, count: 4, logicalCount: 4, partitionSize: 1, manufacturer: 'NVIDIA' });
const g6f = described({ hasGpu: true, count: 0, logicalCount: 1, partitionSize: 0.125, manufacturer: 'NVIDIA' });
const gr6f = described({ hasGpu: true, count: 0, logicalCount: 1, partitionSize: 0.5 });
const trn1 = described({ hasGpu: false, count: 1, accelerator: 'neuron', neuronCores: 2, manufacturer: 'AWS' });
const m5 = described({ hasGpu: false, count: 0 });
const fallback: GpuInfo = { hasGpu: true, count: 0, source: 'family-fallback', manufacturer: null };

describe('gpuCountLabel', () => {
  it.each([
    ['whole GPUs', g5, '4'],
    ['older facts without a logical count', described({ hasGpu: true, count: 8 }), '8'],
    ['a g6f.large (1/8 of an L4)', g6f, '1 × 1/8 GPU'],
    ['a gr6f.4xlarge (half an L4)', gr6f, '1 × 1/2 GPU'],
    [
      'a share that is not one over a whole number',
      described({ hasGpu: true, count: 0, logicalCount: 2, partitionSize: 0.3 }),
      '2 × 0.3 GPU',
    ],
    ['a logical count without a partition size', described({ hasGpu: true, count: 0, logicalCount: 1 }), '1'],
    ['a Trainium', trn1, '2 NeuronCores'],
    ['Neuron without a core count', described({ hasGpu: false, count: 2, accelerator: 'neuron' }), '2 Neuron devices'],
    ['a type only the family name knows', fallback, '?'],
  ])('counts %s', (_label, gpu, expected) => {
    expect(gpuCountLabel(gpu)).toBe(expected);
  });
});

describe('isAcceleratedFor', () => {
  it('looks at GPUs, whole or fractional, by default and never at Neuron', () => {
    expect([g5, g6f, fallback, trn1, m5].map((gpu) => isAcceleratedFor(gpu))).toEqual([true, true, true, false, false]);
  });

  it('looks at Trainium and Inferentia when neuron is listed, and at GPUs only when gpu is', () => {
    expect(isAcceleratedFor(trn1, ['gpu', 'neuron'])).toBe(true);
    expect(isAcceleratedFor(g5, ['gpu', 'neuron'])).toBe(true);
    expect(isAcceleratedFor(g5, ['neuron'])).toBe(false);
    expect(isAcceleratedFor(m5, ['gpu', 'neuron'])).toBe(false);
  });
});
