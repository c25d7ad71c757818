/**
 * A backtest's instances: the GPU history of a region (see gpu-history.ts) joined with what EC2 still knows of each
 * instance (type, tags, owner) and its on-demand price. An instance EC2 no longer knows keeps what its metric's
 * dimensions tell: the `InstanceType` dimension when the agent appends one, else type `unknown` (and no price).
 */
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Config } from '../../config/schema';
import type { InstanceHistory } from '../../engine/replay/types';
import { hourlyUsd } from '../../prices/on-demand-prices';
import { awsErrorCode, toAwsError } from '../aws/aws-errors';
import type { RegionClients } from '../aws/clients';
import { tagRecord } from '../ec2/ec2-lookups';
import { GpuHistory, type GpuHistoryOptions, type SeriesHistory } from './gpu-history-metrics';
import { readHostHistories } from './host-history';

/** DescribeInstances ids per call (EC2 documents no cap for ids; 200 keeps requests and answers small). */
const IDS_PER_CALL = 200;
/** Codes EC2 gives for a whole call when one id in it is unknown. */
const UNKNOWN_ID_CODES = new Set(['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed']);

/** What EC2 still knows of an instance. */
interface KnownInstance {
  readonly instanceType: string;
  readonly state: string;
  readonly tags: Record<string, string>;
}

async function describeBatch(ec2: EC2Client, ids: readonly string[], region: string, into: Map<string, KnownInstance>) {
  let NextToken: string | undefined;
  try {
    do {
      const page = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [...ids], NextToken }));
      for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
        if (!instance.InstanceId) continue;
        into.set(instance.InstanceId, {
          instanceType: instance.InstanceType ?? 'unknown',
          state: instance.State?.Name ?? 'unknown',
          tags: tagRecord(instance.Tags),
        });
      }
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    if (!UNKNOWN_ID_CODES.has(awsErrorCode(error) ?? '')) throw toAwsError(error, 'DescribeInstances', region);
    // One unknown id fails the whole call: split until the unknown ones stand alone, and leave those out.
    if (ids.length === 1) return;
    const half = Math.ceil(ids.length / 2);
    await describeBatch(ec2, ids.slice(0, half), region, into);
    await describeBatch(ec2, ids.slice(half), region, into);
  }
}

/**
 * What EC2 knows of `ids`, batched; ids EC2 no longer knows are absent from the answer.
 *
 * @throws AwsError when DescribeInstances fails for another reason
 */
async function describeKnownInstances(
  ec2: EC2Client,
  ids: readonly string[],
  region: string,
): Promise<Map<string, KnownInstance>> {
  const known = new Map<string, KnownInstance>();
  for (let start = 0; start < ids.length; start += IDS_PER_CALL) {
    await describeBatch(ec2, ids.slice(start, start + IDS_PER_CALL), region, known);
  }
  return known;
}

/** Options of a history read beyond the GetMetricData reader's. */
interface InstanceHistoryOptions extends GpuHistoryOptions {
  /** Read EC2's host metrics too (when `activity.host` is on). @default true */
  readonly host?: boolean;
}

/**
 * The backtest histories of one region over `[from, to)`, in batches of `instancesPerBatch` instances (see
 * {@link GpuHistory.batches}): each batch joined with EC2 and priced before it is handed over.
 *
 * @throws AwsError when CloudWatch or EC2 cannot be read
 * @example for await (const batch of streamInstanceHistories(clients, region, config, range, { instancesPerBatch: 500 })) auditor.addAll(batch);
 */
async function* streamInstanceHistories(
  clients: RegionClients,
  region: string,
  config: Config,
  range: { readonly from: Date; readonly to: Date },
  options: InstanceHistoryOptions = {},
): AsyncGenerator<InstanceHistory[]> {
  const reader = new GpuHistory(clients.cloudwatch, region, config.metrics.sources, options);
  for await (const series of reader.batches(range)) {
    yield await joinHistories(clients, region, config, range, series, options.host ?? true);
  }
}

async function joinHistories(
  clients: RegionClients,
  region: string,
  config: Config,
  range: { readonly from: Date; readonly to: Date },
  series: readonly SeriesHistory[],
  withHost: boolean,
): Promise<InstanceHistory[]> {
  const known = await describeKnownInstances(
    clients.ec2,
    series.map((entry) => entry.instanceId),
    region,
  );
  const ids = series.map((entry) => entry.instanceId);
  const host =
    withHost && config.activity.host.enabled
      ? await readHostHistories(clients.cloudwatch, region, ids, range)
      : new Map();
  return series.map((entry) => {
    const facts = known.get(entry.instanceId);
    const hostHistory = host.get(entry.instanceId);
    const instanceType = facts?.instanceType ?? entry.instanceType ?? 'unknown';
    const tags = facts?.tags ?? {};
    const owner = tags[config.ownerTag]?.trim() || null;
    // Busy counts exist only when the read counted them (the fleet report's read).
    const gpus =
      entry.gpuCount === undefined
        ? {}
        : entry.busyGpus
          ? { gpuTelemetry: 'per-gpu' as const, gpuCount: entry.gpuCount, busyGpus: entry.busyGpus }
          : { gpuTelemetry: 'rollup' as const };
    return {
      instanceId: entry.instanceId,
      instanceType,
      owner,
      tags,
      // Bundled prices and config overrides; live Price List lookups are the live pass's business.
      hourlyUsd: hourlyUsd(instanceType, { overrides: config.prices.overrides }),
      region,
      minutes: entry.minutes,
      ...(hostHistory ? { host: hostHistory } : {}),
      ...gpus,
    };
  });
}

/**
 * The backtest histories of one region over `[from, to)`, all at once.
 *
 * @throws AwsError when CloudWatch or EC2 cannot be read
 * @example const histories = await readInstanceHistories(createRegionClients('us-east-1'), 'us-east-1', config, { from, to });
 */
async function readInstanceHistories(
  clients: RegionClients,
  region: string,
  config: Config,
  range: { readonly from: Date; readonly to: Date },
  options: InstanceHistoryOptions = {},
): Promise<InstanceHistory[]> {
  const all: InstanceHistory[] = [];
  for await (const batch of streamInstanceHistories(clients, region, config, range, options)) all.push(...batch);
  return all;
}

export type { InstanceHistoryOptions, KnownInstance };
export { describeKnownInstances, readInstanceHistories, streamInstanceHistories };
