/**
 * A host's life as EC2 publishes it (`AWS/EC2`, dimension `InstanceId`), told as stretches after launch: one
 * `CPUUtilization`, `NetworkIn` and `NetworkOut` datapoint per period, at period starts aligned to the clock as
 * EC2 aligns them (5 minutes with basic monitoring, 1 with detailed), the network ones in bytes of the whole period.
 */
import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import { putMetricData } from './fleet';

const MINUTE = 60_000;
const MiB = 1024 * 1024;

/** From `from` minutes after launch until the next stretch: CPU percent and MiB per minute in and out. */
interface HostStretch {
  readonly from: number;
  readonly cpu: number;
  readonly inMiB: number;
  readonly outMiB: number;
}

/** How EC2 publishes: the period (5 basic, 1 detailed) and for how long after launch. */
interface HostPublishing {
  /** Minutes per datapoint. @default 5 */
  readonly period?: 1 | 5;
  /** Minutes after launch the last datapoint starts before. */
  readonly until: number;
  /** Minutes past the clock's grid the periods start (EC2 keeps them on it; a hand-seeded series may not). @default 0 */
  readonly offGrid?: number;
}

/** The PutMetricData entries of a host timeline; each period takes the stretch it starts in. */
function hostTimelineData(
  instanceId: string,
  launch: number,
  stretches: readonly HostStretch[],
  publishing: HostPublishing,
): MetricDatum[] {
  const periodMs = (publishing.period ?? 5) * MINUTE;
  const Dimensions = [{ Name: 'InstanceId', Value: instanceId }];
  const data: MetricDatum[] = [];
  const offset = (publishing.offGrid ?? 0) * MINUTE;
  const first = Math.floor((launch - offset) / periodMs) * periodMs + offset;
  for (let at = first; at < launch + publishing.until * MINUTE; at += periodMs) {
    const stretch = [...stretches].reverse().find((candidate) => at >= launch + candidate.from * MINUTE);
    if (!stretch) continue;
    const Timestamp = new Date(at);
    const perPeriod = periodMs / MINUTE;
    data.push(
      { MetricName: 'CPUUtilization', Dimensions, Timestamp, Value: stretch.cpu, Unit: 'Percent' },
      { MetricName: 'NetworkIn', Dimensions, Timestamp, Value: stretch.inMiB * MiB * perPeriod, Unit: 'Bytes' },
      { MetricName: 'NetworkOut', Dimensions, Timestamp, Value: stretch.outMiB * MiB * perPeriod, Unit: 'Bytes' },
    );
  }
  return data;
}

/** Publishes a host timeline into `AWS/EC2` (see {@link hostTimelineData}). */
async function putHostTimeline(
  cw: CloudWatchClient,
  instanceId: string,
  launch: number,
  stretches: readonly HostStretch[],
  publishing: HostPublishing,
): Promise<void> {
  await putMetricData(cw, hostTimelineData(instanceId, launch, stretches, publishing), 'AWS/EC2');
}

/**
 * Complete periods of `[from, to)` (epoch ms): starts `s` on the grid (`offGrid` minutes past the clock's) with
 * `from ≤ s` and `s + period ≤ to`.
 */
function periodsIn(from: number, to: number, periodMinutes: 1 | 5 = 5, offGrid = 0): number {
  const periodMs = periodMinutes * MINUTE;
  const offset = offGrid * MINUTE;
  const first = Math.ceil((from - offset) / periodMs) * periodMs + offset;
  return Math.max(0, Math.floor((to - first) / periodMs));
}

export type { HostPublishing, HostStretch };
export { hostTimelineData, periodsIn, putHostTimeline };
