/**
 * Batched GetMetricData reads: the series of many instances, up to 500 queries a call, one call chain (NextToken)
 * per chunk. An instance's series never straddle two chunks, so a failed chunk marks exactly its own instances.
 */
import type { CloudWatchClient, Dimension, MessageData, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { isOverload, toAwsError } from '../aws/aws-errors';
import type { MetricName } from './gpu-series-index';
import { callTimeoutMs, DEFAULT_SPLIT_MS, SlowReadError, sendWithin } from './read-timeout';

/** GetMetricData accepts at most 500 queries per call. */
const MAX_QUERIES_PER_CALL = 500;

/** One series to read: the source's metric and the series' dimensions. */
interface SeriesRef {
  readonly source: MetricName;
  readonly dimensions: readonly Dimension[];
  /** This series' statistic, when it differs from the read's (EC2's `NetworkIn` Sum beside GPU maxima). */
  readonly stat?: 'Maximum' | 'SampleCount' | 'Sum';
}

/** The series of one instance to read, from `start` (chunks start at their earliest member). */
interface SeriesGroup {
  readonly instanceId: string;
  readonly series: readonly SeriesRef[];
  readonly start: Date;
  /** Where `series` starts within the instance's whole list, when a large group was split over chunks. @default 0 */
  readonly offset?: number;
}

/** One datapoint: bucket start (epoch ms) and the period's statistic. */
interface Sample {
  readonly at: number;
  readonly value: number;
}

/** What came back for one instance: the samples of each of its series (in the group's order), or why it failed. */
interface GroupResult {
  /** Every sample of all its series. */
  readonly samples: Sample[];
  /** The samples of each series, parallel to the group's `series`. */
  readonly perSeries: Sample[][];
  readonly error?: string;
}

/** Per-result status codes that mean the data is not there: never read as "no activity". */
const FAILED_STATUS = new Set(['InternalError', 'Forbidden']);
/** Message codes that signal a failure rather than a remark. */
const FAILED_MESSAGE = /error|forbidden|denied|exceed|invalid|throttl|unavailable/i;

function failureIn(messages: readonly MessageData[] | undefined): string | undefined {
  const failed = (messages ?? []).find((message) => FAILED_MESSAGE.test(message.Code ?? ''));
  return failed ? `${failed.Code}: ${failed.Value ?? ''}`.trim() : undefined;
}

/** Packs whole groups into chunks of at most `limit` queries (a group larger than that is split). */
function packGroups(groups: readonly SeriesGroup[], limit = MAX_QUERIES_PER_CALL): SeriesGroup[][] {
  const chunks: SeriesGroup[][] = [];
  let current: SeriesGroup[] = [];
  let size = 0;
  const flush = () => {
    if (current.length > 0) chunks.push(current);
    current = [];
    size = 0;
  };
  for (const group of groups) {
    for (let offset = 0; offset < group.series.length; offset += limit) {
      const part = { ...group, series: group.series.slice(offset, offset + limit), offset };
      if (size + part.series.length > limit) flush();
      current.push(part);
      size += part.series.length;
    }
  }
  flush();
  return chunks;
}

/** How a read went: the calls it made and how often it split a call that timed out or was throttled. */
interface ReadStats {
  calls: number;
  splits: number;
  /**
   * The fewest queries of a call that timed out so far: a later chunk this large is split before it is sent, so a
   * slow endpoint costs one timeout per size, not one per chunk. Shared by the reads that share these stats.
   * @default none timed out
   */
  slowAt?: number;
  /** The most queries of a call that answered while `slowAt` stood: what a chunk is split down to. */
  fitsAt?: number;
}

/** The window and statistic of a read, and how long it may keep splitting. */
interface ReadWindow {
  readonly end: Date;
  readonly periodSeconds: number;
  readonly stat?: 'Maximum' | 'SampleCount';
  /**
   * Epoch ms after which a call that timed out or was throttled is no longer split, and the halves of earlier
   * splits not yet read are left `error` (the pass's time budget). @default 4 minutes from the start of the read
   */
  readonly splitUntil?: number;
  /** How long one call of so many queries may take before it is split. @default {@link callTimeoutMs} */
  readonly timeoutMs?: (queries: number) => number;
  /** Counts calls and splits, when given. */
  readonly stats?: ReadStats;
  /**
   * Takes each reading as its call succeeds (the instance, the series' position in its group, the reading), so the
   * caller merges it at once: the result then holds no samples, only errors. @default kept in the result
   */
  readonly sink?: (instanceId: string, position: number, sample: Sample) => void;
}

/** What one call answered, kept apart until the call succeeds, so a failed (then split) call leaves no half data. */
interface ChunkAnswer {
  readonly samples: Map<number, Sample[]>;
  readonly failures: Map<number, string>;
}

/** One GetMetricData call chain (NextToken followed) for one chunk; throws when the call fails. */
async function readChunk(
  client: CloudWatchClient,
  chunk: readonly SeriesGroup[],
  window: ReadWindow,
): Promise<ChunkAnswer> {
  const queries: MetricDataQuery[] = [];
  for (const group of chunk) {
    for (const series of group.series) {
      queries.push({
        Id: `q${queries.length}`,
        MetricStat: {
          Metric: {
            Namespace: series.source.namespace,
            MetricName: series.source.metric,
            Dimensions: [...series.dimensions],
          },
          Period: window.periodSeconds,
          Stat: series.stat ?? window.stat ?? 'Maximum',
        },
        ReturnData: true,
      });
    }
  }
  const start = new Date(Math.min(...chunk.map((group) => group.start.getTime())));
  const samples = new Map<number, Sample[]>();
  const failures = new Map<number, string>();
  const answered = new Set<number>();
  const input = {
    StartTime: start,
    EndTime: window.end,
    ScanBy: 'TimestampAscending' as const,
    MetricDataQueries: queries,
  };
  const timeoutMs = (window.timeoutMs ?? callTimeoutMs)(queries.length);
  let nextToken: string | undefined;
  do {
    // One page at a time, each with its own time: a slow page fails the chunk, which is then split.
    const page = await sendWithin(client, { ...input, ...(nextToken ? { NextToken: nextToken } : {}) }, timeoutMs);
    nextToken = page.NextToken;
    if (window.stats) window.stats.calls += 1;
    const global = failureIn(page.Messages);
    if (global) for (let index = 0; index < queries.length; index++) failures.set(index, global);
    for (const result of page.MetricDataResults ?? []) {
      const index = Number(result.Id?.slice(1));
      if (!(index >= 0 && index < queries.length)) continue;
      answered.add(index);
      const failed = FAILED_STATUS.has(result.StatusCode ?? '')
        ? `status ${result.StatusCode}`
        : failureIn(result.Messages);
      const timestamps = result.Timestamps ?? [];
      // Values without their timestamps (or the reverse) is a broken answer, not a quiet minute.
      const broken = (result.Values ?? []).length !== timestamps.length ? 'malformed result' : undefined;
      const problem = failed ?? broken;
      if (problem) failures.set(index, problem);
      const own = samples.get(index) ?? [];
      samples.set(index, own);
      (result.Values ?? []).forEach((value, at) => {
        const time = timestamps[at]?.getTime();
        if (time !== undefined && Number.isFinite(value)) own.push({ at: time, value });
      });
    }
  } while (nextToken);
  for (let index = 0; index < queries.length; index++) {
    if (!answered.has(index) && !failures.has(index)) failures.set(index, 'no result for the query');
  }
  return { samples, failures };
}

/** Halves of a chunk: by groups, or a lone group's series by half (each half keeps its offset). */
function halves(chunk: readonly SeriesGroup[]): SeriesGroup[][] | null {
  if (chunk.length > 1) {
    const middle = Math.ceil(chunk.length / 2);
    return [chunk.slice(0, middle), chunk.slice(middle)];
  }
  const [group] = chunk;
  if (!group || group.series.length < 2) return null;
  const middle = Math.ceil(group.series.length / 2);
  const offset = group.offset ?? 0;
  return [
    [{ ...group, series: group.series.slice(0, middle), offset }],
    [{ ...group, series: group.series.slice(middle), offset: offset + middle }],
  ];
}

/** The queries a chunk asks. */
const queriesOf = (chunk: readonly SeriesGroup[]) => chunk.reduce((sum, group) => sum + group.series.length, 0);

/** Why a timed-out part of a batch was left unread. */
const outOfTime = (splitUntil: number) =>
  `the read's time to split calls that timed out ran out at ${new Date(splitUntil).toISOString()} (the pass's time budget)`;

/**
 * Reads every group's series (`Maximum`, or the given statistic, per `periodSeconds`) until `end`, in chunks of
 * ≤ 500 queries. A call that times out (its time scales with its queries, see {@link callTimeoutMs}; the SDK does not
 * retry it whole) or is throttled past the SDK's retries is split in halves at once and each half read (bisect),
 * while `splitUntil` allows, down to one instance's own series: only an instance whose own smallest call fails is
 * unreadable, so a slow read never blinds a whole batch. Once a size timed out, later chunks that large are split
 * before they are sent. Past `splitUntil`, what is still waiting from a split is left `error`, with the reason.
 *
 * @returns one result per instance id; a chunk that failed gives its instances an `error`, never empty samples
 *   that could pass for idleness
 */
async function readSeriesGroups(
  client: CloudWatchClient,
  region: string,
  groups: readonly SeriesGroup[],
  window: ReadWindow,
): Promise<Map<string, GroupResult>> {
  const results = new Map<string, { samples: Sample[]; perSeries: Sample[][]; error?: string }>();
  for (const group of groups) {
    results.set(group.instanceId, { samples: [], perSeries: Array.from({ length: group.series.length }, () => []) });
  }
  const splitUntil = window.splitUntil ?? Date.now() + DEFAULT_SPLIT_MS;
  const stats = window.stats ?? { calls: 0, splits: 0 };
  const fail = (chunk: readonly SeriesGroup[], message: string) => {
    for (const group of chunk) results.get(group.instanceId)!.error = message;
  };
  const split = (chunk: readonly SeriesGroup[], fromSplit = true) => {
    const parts = halves(chunk);
    if (!parts) return false;
    stats.splits += 1;
    pending.push(...parts.reverse().map((part) => ({ chunk: part, fromSplit })));
    return true;
  };
  // Chunks run one after another: the pass already overlaps regions, and CloudWatch throttles bursts.
  const pending = packGroups(groups.filter((group) => group.series.length > 0))
    .reverse()
    .map((chunk) => ({ chunk, fromSplit: false }));
  while (pending.length > 0) {
    const { chunk, fromSplit } = pending.pop()!;
    const size = queriesOf(chunk);
    const inTime = Date.now() < splitUntil;
    if (fromSplit && !inTime) {
      fail(chunk, `GetMetricData: not read: ${outOfTime(splitUntil)}`);
      continue;
    }
    // Larger than what answered since a call timed out: it would time out too, so it is split before it is sent
    // (even past the deadline: that costs no time, and its halves are read as planned chunks).
    const limit = stats.slowAt === undefined ? Number.POSITIVE_INFINITY : (stats.fitsAt ?? stats.slowAt - 1);
    if (size > limit && split(chunk, fromSplit)) continue;
    let answer: ChunkAnswer;
    try {
      answer = await readChunk(client, chunk, window);
    } catch (error) {
      const slow = error instanceof SlowReadError;
      if (slow) {
        stats.slowAt = Math.min(stats.slowAt ?? size, size);
        if (stats.fitsAt !== undefined && stats.fitsAt >= stats.slowAt) stats.fitsAt = undefined;
      }
      const overload = slow || isOverload(error);
      if (overload && Date.now() < splitUntil && split(chunk)) continue;
      const message = slow ? `GetMetricData: ${error.message}` : toAwsError(error, 'GetMetricData', region).message;
      // Past the deadline a chunk of many instances is left unread rather than split: say so, not "timed out" alone.
      const unsplit = overload && halves(chunk) !== null ? `; not split further: ${outOfTime(splitUntil)}` : '';
      fail(chunk, `${message}${unsplit}`);
      continue;
    }
    // A call this large went through after all: the size was not what timed out (one instance's slow series was).
    if (stats.slowAt !== undefined && size >= stats.slowAt) {
      stats.slowAt = undefined;
      stats.fitsAt = undefined;
    } else if (stats.slowAt !== undefined) stats.fitsAt = Math.max(stats.fitsAt ?? 0, size);
    let index = 0;
    for (const group of chunk) {
      const owned = results.get(group.instanceId)!;
      group.series.forEach((_, position) => {
        const at = (group.offset ?? 0) + position;
        const own = owned.perSeries[at];
        for (const sample of answer.samples.get(index) ?? []) {
          if (window.sink) {
            window.sink(group.instanceId, at, sample);
            continue;
          }
          owned.samples.push(sample);
          own?.push(sample);
        }
        const failure = answer.failures.get(index);
        if (failure && !owned.error) owned.error = `GetMetricData: ${failure}`;
        index += 1;
      });
    }
  }
  return results;
}

export type { GroupResult, ReadStats, ReadWindow, Sample, SeriesGroup, SeriesRef };
export { MAX_QUERIES_PER_CALL, packGroups, readSeriesGroups };
