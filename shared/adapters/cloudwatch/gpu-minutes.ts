/**
 * Merging an instance's series into per-minute readings, the way the rules read them: the value of a minute is the
 * maximum across every GPU and every source (one busy GPU out of eight means busy), and a minute counts as covered
 * only when every GPU reported in it. A minute some GPUs were silent in is kept as `partial`: its maximum still
 * proves busy, but below the threshold it is unknown.
 */
import type { GpuPoint } from '../../engine/types';
import type { Sample } from './gpu-metric-batches';

const MINUTE = 60_000;

/** The samples of one series, with what they say about coverage. */
interface SeriesSamples {
  /** `namespace/metric` of the source. */
  readonly source: string;
  /** The GPU it measures; `null` for a rollup over the instance's GPUs. */
  readonly gpu: string | null;
  /** `Maximum` readings, or a rollup's `SampleCount` (how many GPU readings it aggregated in the minute). */
  readonly stat: 'Maximum' | 'SampleCount';
  /**
   * For a rollup's maxima: taken as covering every GPU. True when nothing better was read: the rollup of a busy
   * instance (its maximum proves busy anyway) or of a one-GPU instance; false when per-GPU series or the rollup's
   * `SampleCount` were read to prove it.
   */
  readonly trusted: boolean;
  readonly samples: readonly Sample[];
}

interface Minute {
  max: number;
  covered: boolean;
  gpus: Map<string, Set<string>>;
}

/**
 * Per-minute readings inside `[from, to)`, ascending. A sample that is not a finite number is no reading.
 *
 * @param expectedGpus how many GPUs must report for a minute to count as covered (at least 1)
 * @example mergeMinutes([{ source: 'CWAgent/u', gpu: '0', stat: 'Maximum', trusted: false, samples }], 4, from, to)
 */
function mergeMinutes(series: readonly SeriesSamples[], expectedGpus: number, from: number, to: number): GpuPoint[] {
  const expected = Math.max(1, expectedGpus);
  const minutes = new Map<number, Minute>();
  const minuteAt = (at: number) => {
    const existing = minutes.get(at);
    if (existing) return existing;
    const created: Minute = { max: Number.NEGATIVE_INFINITY, covered: false, gpus: new Map() };
    minutes.set(at, created);
    return created;
  };
  for (const { source, gpu, stat, trusted, samples } of series) {
    for (const sample of samples) {
      if (!Number.isFinite(sample.value)) continue;
      const at = Math.floor(sample.at / MINUTE) * MINUTE;
      if (at < from || at >= to) continue;
      const minute = minuteAt(at);
      if (stat === 'SampleCount') {
        if (sample.value >= expected) minute.covered = true;
        continue;
      }
      minute.max = Math.max(minute.max, sample.value);
      if (gpu === null) {
        if (trusted || expected === 1) minute.covered = true;
        continue;
      }
      const reported = minute.gpus.get(source) ?? new Set<string>();
      reported.add(gpu);
      minute.gpus.set(source, reported);
      if (reported.size >= expected) minute.covered = true;
    }
  }
  const points: GpuPoint[] = [];
  for (const [at, minute] of [...minutes].sort(([a], [b]) => a - b)) {
    if (minute.max === Number.NEGATIVE_INFINITY) continue;
    points.push(minute.covered ? { at, max: minute.max } : { at, max: minute.max, partial: true });
  }
  return points;
}

export type { SeriesSamples };
export { mergeMinutes };
