/**
 * An instance type's accelerators in words, and whether a pass looks at them: whole GPUs by their count, fractional
 * GPUs (g6f, gr6f) by their logical count and share of a GPU, Trainium and Inferentia by their NeuronCores.
 */
import type { GpuInfo } from './types';

/** The kinds of accelerator a pass can look at (`scope.accelerators`). */
type Accelerator = NonNullable<GpuInfo['accelerator']>;

/** The accelerators a pass looks at unless told otherwise: GPUs only. */
const DEFAULT_ACCELERATORS: readonly Accelerator[] = ['gpu'];

/** `0.125` → `1/8`; a share that is not one over a whole number stays a decimal. */
function shareOfGpu(partitionSize: number): string {
  const parts = 1 / partitionSize;
  return Number.isInteger(parts) ? `1/${parts}` : String(partitionSize);
}

/**
 * How many accelerators a type has, for tables and notices: `"4"` (whole GPUs), `"1 × 1/8 GPU"` (fractional),
 * `"2 NeuronCores"` (Trainium, Inferentia), `"?"` when only the family name is known.
 *
 * @example gpuCountLabel({ hasGpu: true, count: 0, logicalCount: 1, partitionSize: 0.125, source: 'instance-types' }) // "1 × 1/8 GPU"
 */
function gpuCountLabel(gpu: GpuInfo): string {
  if (gpu.source === 'family-fallback') return '?';
  if (gpu.accelerator === 'neuron') {
    return gpu.neuronCores !== undefined ? `${gpu.neuronCores} NeuronCores` : `${gpu.count} Neuron devices`;
  }
  const { logicalCount, partitionSize } = gpu;
  if (logicalCount !== undefined && logicalCount > 0 && partitionSize !== undefined && partitionSize > 0) {
    if (partitionSize < 1) return `${logicalCount} × ${shareOfGpu(partitionSize)} GPU`;
  }
  return String(gpu.count > 0 ? gpu.count : (logicalCount ?? 0));
}

/**
 * Whether a pass looking at `accelerators` looks at this type: GPUs (whole or fractional) under `gpu`,
 * Trainium and Inferentia under `neuron`.
 *
 * @example isAcceleratedFor(gpu, ['gpu', 'neuron'])
 */
function isAcceleratedFor(gpu: GpuInfo, accelerators: readonly Accelerator[] = DEFAULT_ACCELERATORS): boolean {
  if (gpu.accelerator === 'neuron') return accelerators.includes('neuron');
  return gpu.hasGpu && accelerators.includes('gpu');
}

export type { Accelerator };
export { DEFAULT_ACCELERATORS, gpuCountLabel, isAcceleratedFor };
