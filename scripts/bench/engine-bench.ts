/**
 * Benchmark (a): the engine deciding for a large fleet. Per instance, the per-GPU samples are merged into
 * per-minute maxima exactly as the CloudWatch adapter does (`mergeMinutes`), then `decideFleet` decides for all at
 * once. Timed over a few runs (median); memory is the process peak (maxRSS) and the heap after a run.
 */
import { performance } from 'node:perf_hooks';
import { MinuteMerger, type SeriesKind } from '../../shared/adapters/cloudwatch/gpu-minutes';
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
  /** Heap grown by the first run's merged minutes and inputs (no raw samples are held), MiB. */
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
  const merges: number[] = [];
  const decides: number[] = [];
  let samples = 0;
  let buildMs = 0;
  let samplesHeapMiB = 0;
  let last: ReturnType<typeof decideFleet> | undefined;
  const kinds: SeriesKind[] = Array.from({ length: shape.gpus }, (_, gpu) => ({
    source: 'CWAgent/nvidia_smi_utilization_gpu',
    gpu: String(gpu),
    stat: 'Maximum',
    trusted: false,
  }));
  const collect = (globalThis as { gc?: () => void }).gc;
  for (let run = 0; run < runs; run++) {
    // Each run's fleet is garbage before the next: collect it when `npm run bench` exposes the collector.
    collect?.();
    // Per-GPU series only: every sample merged into its instance's per-minute arrays as it arrives, never held.
    const start = performance.now();
    const to = Math.floor(shape.now.getTime() / 60_000) * 60_000;
    const from = to - shape.minutes * 60_000;
    const mergers: MinuteMerger[] = [];
    samples = 0;
    const fleet = syntheticFleet(shape, (index, gpu, at, value) => {
      mergers[index] ??= new MinuteMerger(from, to, shape.gpus);
      mergers[index]!.add(kinds[gpu]!, at, value);
      samples += 1;
    });
    const inputs: InstanceInput[] = fleet.map(({ instance, telemetry }, index) => ({
      instance,
      telemetry: { ...telemetry, points: mergers[index]?.points() ?? [] },
      warning: null,
    }));
    const merged = performance.now();
    if (run === 0) {
      buildMs = merged - start;
      samplesHeapMiB = mib(Math.max(0, process.memoryUsage().heapUsed - heapBefore));
    }
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
