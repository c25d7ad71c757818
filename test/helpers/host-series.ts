/**
 * EC2's host metrics as EC2 publishes them (`AWS/EC2`, dimension `InstanceId`): one datapoint per period, 5 minutes
 * with basic monitoring and 1 with detailed; `NetworkIn`/`NetworkOut` carry the period's bytes.
 */
import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import { putMetricData } from './fleet';

const MiB = 1024 * 1024;

/** One stretch of host activity: from `start`, `count` periods of `step` minutes at this CPU and network rate. */
interface HostStretch {
  readonly start: number;
  readonly count: number;
  readonly cpu: number;
  /** Network in + out, MiB per minute (split evenly between in and out). */
  readonly mibPerMinute: number;
  /** Minutes per period: 5 (basic monitoring, the default) or 1 (detailed). */
  readonly step?: number;
}

/** Publishes an instance's host metrics, stretch by stretch. */
async function putHostSeries(cw: CloudWatchClient, instanceId: string, stretches: readonly HostStretch[]) {
  const data: MetricDatum[] = [];
  const dimensions = [{ Name: 'InstanceId', Value: instanceId }];
  for (const stretch of stretches) {
    const step = stretch.step ?? 5;
    for (let i = 0; i < stretch.count; i++) {
      const timestamp = new Date(stretch.start + i * step * 60_000);
      const bytes = (stretch.mibPerMinute * MiB * step) / 2;
      data.push(
        {
          MetricName: 'CPUUtilization',
          Dimensions: dimensions,
          Timestamp: timestamp,
          Value: stretch.cpu,
          Unit: 'Percent',
        },
        { MetricName: 'NetworkIn', Dimensions: dimensions, Timestamp: timestamp, Value: bytes, Unit: 'Bytes' },
        { MetricName: 'NetworkOut', Dimensions: dimensions, Timestamp: timestamp, Value: bytes, Unit: 'Bytes' },
      );
    }
  }
  await putMetricData(cw, data, 'AWS/EC2');
}

export type { HostStretch };
export { putHostSeries };
