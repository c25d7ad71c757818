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
 * Per-minute maxima and coverage of one instance over `[from, to)`, filled sample by sample. Coverage counts the
 * distinct GPUs of a source that reported in a minute (a bit each; instances have at most 16 GPUs today).
 */
class MinuteMerger {
  readonly #from: number;
  readonly #expected: number;
  readonly #max: Float32Array;
  readonly #covered: Uint8Array;
  /** Per source: a bit per GPU (by its GPU dimension value) and, per minute, the GPUs that reported. */
  readonly #perSource = new Map<string, { slots: Map<string, number>; masks: Uint32Array }>();

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
    // Distinct GPUs, not readings: two series of one GPU (its `name` changed with a driver update) are one GPU.
    let reported = this.#perSource.get(kind.source);
    if (!reported) {
      reported = { slots: new Map(), masks: new Uint32Array(this.#max.length) };
      this.#perSource.set(kind.source, reported);
    }
    let bit = reported.slots.get(kind.gpu);
    if (bit === undefined) {
      bit = reported.slots.size % 32;
      reported.slots.set(kind.gpu, bit);
    }
    reported.masks[slot] = (reported.masks[slot]! | (1 << bit)) >>> 0;
    if (popCount(reported.masks[slot]!) >= Math.min(this.#expected, 32)) this.#covered[slot] = 1;
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

/** How many bits of a 32-bit mask are set. */
function popCount(mask: number): number {
  let bits = mask - ((mask >>> 1) & 0x55555555);
  bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
  return (((bits + (bits >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
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
