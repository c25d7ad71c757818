/**
 * A fleet past one DescribeInstances page, against moto: the scan follows the pages (moto pages by reservation,
 * so the fleet is 1,001 reservations), asks about instance types once, and reads telemetry in ≤ 500-query calls.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { CallCounter, createRegionClients } from '../../../shared/adapters/aws/clients';
import { GpuMetrics } from '../../../shared/adapters/cloudwatch/gpu-metrics';
import { Ec2Instances } from '../../../shared/adapters/ec2/ec2-instances';
import { gpuSeriesData, launchInstances, launchReservations, minutes, putMetricData } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';

const moto = useMoto();

const RESERVATIONS = 1_001;

describe('a fleet of more than 1,000 instances', () => {
  let ec2: EC2Client;
  let cloudwatch: CloudWatchClient;
  let gpuIds: string[];

  beforeAll(async () => {
    ({ ec2, cloudwatch } = createRegionClients(moto.region));
    gpuIds = await launchReservations(ec2, { instanceType: 'g5.xlarge', reservations: RESERVATIONS, concurrency: 8 });
    await launchInstances(ec2, { instanceType: 't3.micro', count: 40 });
  }, 120_000);

  it('follows DescribeInstances pages and describes the instance types once', async () => {
    const counter = new CallCounter();
    const instances = new Ec2Instances(counter.attach(ec2), moto.region);

    const scan = await instances.scanGpuInstances({ scopeTags: {} });

    expect(scan.instances).toHaveLength(RESERVATIONS);
    expect(new Set(scan.instances.map((i) => i.instanceId))).toEqual(new Set(gpuIds));
    expect(scan.nonGpu).toBe(40);
    expect(counter.calls('EC2:DescribeInstances')).toBeGreaterThan(1);
    expect(counter.calls('EC2:DescribeInstanceTypes')).toBe(1);

    // A second pass with the same catalog asks nothing more about types.
    counter.reset();
    await instances.scanGpuInstances({ scopeTags: {} });
    expect(counter.calls('EC2:DescribeInstanceTypes')).toBe(0);
  });

  it('reads 1,001 rollup series in 3 GetMetricData calls', async () => {
    const start = new Date('2030-01-01T11:00:00Z');
    await putMetricData(
      cloudwatch,
      gpuIds.flatMap((id, n) => gpuSeriesData(id, minutes(start, 2, n % 100))),
    );
    const counter = new CallCounter();
    const metrics = new GpuMetrics(counter.attach(cloudwatch), moto.region, {
      namespace: 'CWAgent',
      metric: 'nvidia_smi_utilization_gpu',
    });

    const telemetry = await metrics.read(
      gpuIds.map((instanceId) => ({ instanceId, launchTime: start })),
      { now: new Date('2030-01-01T12:00:00Z'), lookbackMs: 3_600_000 },
    );

    expect(counter.calls('CloudWatch:GetMetricData')).toBe(3);
    expect([...telemetry.values()].every((entry) => entry.status === 'ok' && entry.points.length === 2)).toBe(true);
    expect(telemetry.get(gpuIds[7]!)?.points[0]?.max).toBe(7);
  });
});
