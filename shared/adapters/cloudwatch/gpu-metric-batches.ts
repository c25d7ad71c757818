/**
 * Batched GetMetricData reads: the series of many instances, up to 500 queries a call, one call chain (NextToken)
 * per chunk. An instance's series never straddle two chunks, so a failed chunk marks exactly its own instances.
 */
import {
  type CloudWatchClient,
  type Dimension,
  type MessageData,
  type MetricDataQuery,
  paginateGetMetricData,
} from '@aws-sdk/client-cloudwatch';
import { toAwsError } from '../aws/aws-errors';
import type { MetricName } from './gpu-series-index';

/** GetMetricData accepts at most 500 queries per call. */
const MAX_QUERIES_PER_CALL = 500;

/** One series to read: the source's metric and the series' dimensions. */
interface SeriesRef {
  readonly source: MetricName;
  readonly dimensions: readonly Dimension[];
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

/**
 * Reads every group's series (`Maximum` per `periodSeconds`) until `end`, in chunks of ≤ 500 queries.
 *
 * @returns one result per instance id; a chunk that failed gives its instances an `error`, never empty samples
 *   that could pass for idleness
 */
async function readSeriesGroups(
  client: CloudWatchClient,
  region: string,
  groups: readonly SeriesGroup[],
  window: { readonly end: Date; readonly periodSeconds: number; readonly stat?: 'Maximum' | 'SampleCount' },
): Promise<Map<string, GroupResult>> {
  const results = new Map<string, { samples: Sample[]; perSeries: Sample[][]; error?: string }>();
  const resultOf = (instanceId: string) => {
    const existing = results.get(instanceId) ?? { samples: [], perSeries: [] };
    results.set(instanceId, existing);
    return existing;
  };
  // A group split over two chunks keeps its series positions: the offset of each part within its group.
  const sizes = new Map(groups.map((group) => [group.instanceId, group.series.length]));
  for (const [instanceId, size] of sizes) resultOf(instanceId).perSeries = Array.from({ length: size }, () => []);
  const chunks = packGroups(groups.filter((group) => group.series.length > 0));
  // Chunks run one after another: the pass already overlaps regions, and CloudWatch throttles bursts.
  for (const chunk of chunks) {
    const owners: string[] = [];
    const positions: number[] = [];
    const queries: MetricDataQuery[] = [];
    for (const group of chunk) {
      group.series.forEach((series, position) => {
        owners.push(group.instanceId);
        positions.push((group.offset ?? 0) + position);
        queries.push({
          Id: `q${queries.length}`,
          MetricStat: {
            Metric: {
              Namespace: series.source.namespace,
              MetricName: series.source.metric,
              Dimensions: [...series.dimensions],
            },
            Period: window.periodSeconds,
            Stat: window.stat ?? 'Maximum',
          },
          ReturnData: true,
        });
      });
    }
    const start = new Date(Math.min(...chunk.map((group) => group.start.getTime())));
    const failures = new Map<string, string>();
    const answered = new Set<string>();
    try {
      const input = {
        StartTime: start,
        EndTime: window.end,
        ScanBy: 'TimestampAscending' as const,
        MetricDataQueries: queries,
      };
      for await (const page of paginateGetMetricData({ client }, input)) {
        const global = failureIn(page.Messages);
        if (global) for (const query of queries) failures.set(query.Id!, global);
        for (const result of page.MetricDataResults ?? []) {
          const index = Number(result.Id?.slice(1));
          const owner = owners[index];
          if (owner === undefined) continue;
          answered.add(result.Id!);
          const failed = FAILED_STATUS.has(result.StatusCode ?? '')
            ? `status ${result.StatusCode}`
            : failureIn(result.Messages);
          const timestamps = result.Timestamps ?? [];
          // Values without their timestamps (or the reverse) is a broken answer, not a quiet minute.
          const broken = (result.Values ?? []).length !== timestamps.length ? 'malformed result' : undefined;
          const problem = failed ?? broken;
          if (problem) failures.set(result.Id!, problem);
          const owned = resultOf(owner);
          const own = owned.perSeries[positions[index]!] ?? [];
          (result.Values ?? []).forEach((value, at) => {
            const time = timestamps[at]?.getTime();
            if (time === undefined || !Number.isFinite(value)) return;
            owned.samples.push({ at: time, value });
            own.push({ at: time, value });
          });
        }
      }
    } catch (error) {
      const message = toAwsError(error, 'GetMetricData', region).message;
      for (const group of chunk) resultOf(group.instanceId).error = message;
      continue;
    }
    queries.forEach((query, index) => {
      const owner = owners[index]!;
      const failure = failures.get(query.Id!) ?? (answered.has(query.Id!) ? undefined : 'no result for the query');
      if (failure && !resultOf(owner).error) resultOf(owner).error = `GetMetricData: ${failure}`;
    });
  }
  for (const group of groups) resultOf(group.instanceId);
  return results;
}

export type { GroupResult, Sample, SeriesGroup, SeriesRef };
export { MAX_QUERIES_PER_CALL, packGroups, readSeriesGroups };
