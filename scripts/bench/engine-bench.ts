/**
 * Benchmark (a): the engine deciding for a large fleet. Per instance, the per-GPU samples are merged into
 * per-minute maxima exactly as the CloudWatch adapter does (`mergeMinutes`), then `decideFleet` decides for all at
 * once. Timed over a few runs (median); memory is the process peak (maxRSS) and the heap after a run.
 */
import { performance } from 'node:perf_hooks';
import { mergeMinutes } from '../../shared/adapters/cloudwatch/gpu-minutes';
import { defaultConfig } from '../../shared/config';
import { decideFleet, type InstanceInput, summarize } from '../../shared/engine';
import { type FleetShape, syntheticFleet } from './synthetic-fleet';

/** What benchmark (a) measured. */
interface EngineBenchResult {
  readonly shape: FleetShape;
  readonly samples: number;
  readonly runs: number;
  readonly buildMs: number;
  /** Median over the runs, ms. */
  readonly mergeMs: number;
  readonly decideMs: number;
  readonly totalMs: number;
  readonly fastestTotalMs: number;
  /** Peak resident set of the process so far, MiB (includes the samples held in memory). */
  readonly maxRssMiB: number;
  /** Heap in use right after the last run, before the samples are released, MiB. */
  readonly heapUsedMiB: number;
  /** Of which the raw samples (heap growth while building the fleet), MiB. */
  readonly samplesHeapMiB: number;
  readonly outcomes: ReturnType<typeof summarize>;
  readonly brake: boolean;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const mib = (bytes: number) => bytes / 1_048_576;

/**
 * Runs benchmark (a).
 *
 * @param shape fleet size, GPUs per instance and minutes of data
 * @param runs timed repetitions (the median is reported)
 */
function benchEngine(shape: FleetShape, runs: number): EngineBenchResult {
  const config = defaultConfig();
  const heapBefore = process.memoryUsage().heapUsed;
  const built = performance.now();
  const fleet = syntheticFleet(shape);
  const buildMs = performance.now() - built;
  const samplesHeapMiB = mib(process.memoryUsage().heapUsed - heapBefore);
  const samples = fleet.reduce((sum, raw) => sum + raw.samples.length, 0);

  const merges: number[] = [];
  const decides: number[] = [];
  let last: ReturnType<typeof decideFleet> | undefined;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const inputs: InstanceInput[] = fleet.map(({ instance, samples: raw, telemetry }) => ({
      instance,
      telemetry: {
        ...telemetry,
        points: mergeMinutes(
          [{ source: 'bench', gpu: null, stat: 'Maximum', trusted: true, samples: raw }],
          1,
          telemetry.from.getTime(),
          telemetry.to.getTime(),
        ),
      },
      warning: null,
    }));
    const merged = performance.now();
    last = decideFleet(inputs, config, shape.now);
    const decided = performance.now();
    merges.push(merged - start);
    decides.push(decided - merged);
  }
  const heapUsedMiB = mib(process.memoryUsage().heapUsed);
  const totals = merges.map((merge, index) => merge + (decides[index] ?? 0));
  return {
    shape,
    samples,
    runs,
    buildMs,
    mergeMs: median(merges),
    decideMs: median(decides),
    totalMs: median(totals),
    fastestTotalMs: Math.min(...totals),
    // maxRSS is in KiB on Linux and macOS.
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    heapUsedMiB,
    samplesHeapMiB,
    outcomes: summarize(last?.decisions ?? []),
    brake: last?.brake.engaged ?? false,
  };
}

export type { EngineBenchResult };
export { benchEngine };
