/**
 * Seeds moto with the benchmark fleet through the shared seed code: GPU instances in a few large reservations
 * (moto pages DescribeInstances by reservation, and 1,000+ reservations are slow to create), a few non-GPU ones, and
 * one GPU utilization series per instance (the agent's `[InstanceId]` rollup).
 */
import { createRegionClients } from '../../shared/adapters/aws/clients';
import { gpuSeriesData, hostSeriesData, launchInstances, minutes, putMetricData } from '../../shared/local/seed-fleet';

const MINUTE_MS = 60_000;
/** moto launches this many instances in one RunInstances call without complaint; real EC2 caps lower. */
const PER_RESERVATION = 500;

/** The seeded fleet. */
interface BenchFleet {
  readonly region: string;
  readonly gpuIds: readonly string[];
  readonly idleIds: readonly string[];
  readonly nonGpu: number;
  readonly reservations: number;
  /** The pass clock: two hours after launch, so every instance is older than the 1h look-back window. */
  readonly now: Date;
  readonly seedMs: number;
}

/**
 * Launches `instances` g5.xlarge in reservations of 500 plus 20 t3.medium, then publishes one rollup datapoint per
 * busy instance (inside the last 30 minutes, so none is "no telemetry") and 50 idle minutes per idle one. One busy
 * minute is enough to keep an instance, and every extra datapoint in the window costs moto time in each query.
 * The idle ones also get EC2 host metrics: half of them a busy host, half a quiet one.
 */
async function seedBenchFleet(region: string, instances: number, idle: number): Promise<BenchFleet> {
  const started = Date.now();
  const { ec2, cloudwatch } = createRegionClients(region);
  const gpuIds: string[] = [];
  const reservations = Math.ceil(instances / PER_RESERVATION);
  for (let r = 0; r < reservations; r++) {
    const count = Math.min(PER_RESERVATION, instances - gpuIds.length);
    const tags = { Owner: `team-${r}@example.com`, Purpose: 'training' };
    gpuIds.push(...(await launchInstances(ec2, { instanceType: 'g5.xlarge', count, tags })));
  }
  await launchInstances(ec2, { instanceType: 't3.medium', count: 20 });

  const now = new Date(Math.ceil(started / MINUTE_MS) * MINUTE_MS + 2 * 60 * MINUTE_MS);
  const idleIds = gpuIds.slice(0, idle);
  const data = gpuIds.flatMap((id, n) =>
    gpuSeriesData(
      id,
      n < idle
        ? minutes(now.getTime() - 50 * MINUTE_MS, 50, 1)
        : [{ at: now.getTime() - (1 + (n % 25)) * MINUTE_MS, value: 40 + (n % 50) }],
      { perGpu: 0, rollup: true },
    ),
  );
  await putMetricData(cloudwatch, data);
  // EC2's host metrics of the idle ones, 5-minute periods of the clock over the last 2h: the first half busy (a
  // download on idle GPUs), the rest quiet. The busy ones are read as quiet instances are, and kept.
  const periodMs = 5 * MINUTE_MS;
  const first = Math.floor((now.getTime() - 2 * 60 * MINUTE_MS) / periodMs) * periodMs;
  const host = idleIds.flatMap((id, n) =>
    hostSeriesData(
      id,
      Array.from({ length: 24 }, (_, p) => ({
        at: first + p * periodMs,
        ...(n < idle / 2 ? { cpu: 60, mibPerMinute: 300 } : { cpu: 1, mibPerMinute: 0.02 }),
      })),
    ),
  );
  await putMetricData(cloudwatch, host, 'AWS/EC2');
  return { region, gpuIds, idleIds, nonGpu: 20, reservations, now, seedMs: Date.now() - started };
}

export type { BenchFleet };
export { seedBenchFleet };
