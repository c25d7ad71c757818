/**
 * Merging an instance's series into per-minute readings, the way the rules read them: the value of a minute is the
 * maximum across every GPU and every source (one busy GPU out of eight means busy), and a minute counts as covered
 * only when every GPU reported in it. A minute some GPUs were silent in is kept as `partial`: its maximum still
 * proves busy, but below the threshold it is unknown.
 *
 * Samples are merged as they arrive, into typed arrays of one slot per minute: a read never holds the fleet's raw
 * samples, only a few bytes per instance-minute.
 */
import type { GpuPoint } from '../../engine/types';
import type { Sample } from './gpu-metric-batches';

const MINUTE = 60_000;

/** What one series' samples say about coverage. */
interface SeriesKind {
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
}

/** The samples of one series, with what they say about coverage. */
interface SeriesSamples extends SeriesKind {
  readonly samples: readonly Sample[];
}

/**
 * Per-minute maxima and coverage of one instance over `[from, to)`, filled sample by sample. Each per-GPU series
 * gives at most one reading a minute (period 60 s), so counting readings per source counts the GPUs that reported.
 */
class MinuteMerger {
  readonly #from: number;
  readonly #expected: number;
  readonly #max: Float32Array;
  readonly #covered: Uint8Array;
  readonly #perSource = new Map<string, Uint8Array>();

  /** @param expectedGpus how many GPUs must report for a minute to count as covered (at least 1) */
  constructor(from: number, to: number, expectedGpus: number) {
    this.#from = from;
    this.#expected = Math.max(1, expectedGpus);
    const minutes = Math.max(0, Math.ceil((to - from) / MINUTE));
    this.#max = new Float32Array(minutes).fill(Number.NaN);
    this.#covered = new Uint8Array(minutes);
  }

  /** Adds one reading of a series; readings outside the window or not finite are no readings. */
  add(kind: SeriesKind, at: number, value: number): void {
    if (!Number.isFinite(value)) return;
    const slot = Math.floor((at - this.#from) / MINUTE);
    if (slot < 0 || slot >= this.#max.length) return;
    if (kind.stat === 'SampleCount') {
      if (value >= this.#expected) this.#covered[slot] = 1;
      return;
    }
    if (!(this.#max[slot]! >= value)) this.#max[slot] = value;
    if (kind.gpu === null) {
      if (kind.trusted || this.#expected === 1) this.#covered[slot] = 1;
      return;
    }
    let counts = this.#perSource.get(kind.source);
    if (!counts) {
      counts = new Uint8Array(this.#max.length);
      this.#perSource.set(kind.source, counts);
    }
    counts[slot] = Math.min(255, counts[slot]! + 1);
    if (counts[slot]! >= this.#expected) this.#covered[slot] = 1;
  }

  /** The readings, ascending; a minute with no reading at all is left out. */
  points(): GpuPoint[] {
    const points: GpuPoint[] = [];
    for (let slot = 0; slot < this.#max.length; slot++) {
      const max = this.#max[slot]!;
      if (Number.isNaN(max)) continue;
      const at = this.#from + slot * MINUTE;
      points.push(this.#covered[slot] ? { at, max } : { at, max, partial: true });
    }
    return points;
  }
}

/**
 * Per-minute readings inside `[from, to)`, ascending (see {@link MinuteMerger}).
 *
 * @param expectedGpus how many GPUs must report for a minute to count as covered (at least 1)
 * @example mergeMinutes([{ source: 'CWAgent/u', gpu: '0', stat: 'Maximum', trusted: false, samples }], 4, from, to)
 */
function mergeMinutes(series: readonly SeriesSamples[], expectedGpus: number, from: number, to: number): GpuPoint[] {
  const start = Math.floor(from / MINUTE) * MINUTE;
  const merger = new MinuteMerger(start, to, expectedGpus);
  for (const kind of series) for (const sample of kind.samples) merger.add(kind, sample.at, sample.value);
  return merger.points().filter((point) => point.at >= from);
}

export type { SeriesKind, SeriesSamples };
export { MinuteMerger, mergeMinutes };
