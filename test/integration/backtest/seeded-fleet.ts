/**
 * Two weeks of realistic GPU history for a small fleet, seeded into moto through the real SDK, and the truth a
 * backtest with the default config must find in it. Every stretch starts and ends on a 5-minute boundary, so the
 * passes (every 5 minutes) and 5-minute reads see exactly what the 1-minute data says.
 *
 * - busy: daily 10-hour training runs at 70 % (one run has a 10-minute gap in its data: running, GPU unknown);
 * - bursty: daily 8-hour sessions, busy 2 h, a 2-hour lull at 2 %, busy again: idle acts in the lull, a false kill;
 * - idle: left running 3 days after 2 busy hours: idle acts once;
 * - never used: 2 days at 1 %: never-used acts after 30 minutes + the grace;
 * - gone: metrics only (not in EC2), per-GPU series with an InstanceType dimension, 6 hours at 20 % / 3 %.
 */
import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { gpuSeriesData, launchInstances, putMetricData } from '../../helpers/fleet';

const MINUTE_MS = 60_000;
const DAY = 1_440;
/** An instance id EC2 (moto) does not know: its metrics outlived it. */
const GONE_ID = 'i-0a1b2c3d4e5f60718';

/** A run of minutes (offsets from `from`) at one level. */
interface Run {
  readonly start: number;
  readonly length: number;
  readonly value: number | readonly [number, number];
}

/** One seeded instance: what EC2 knows, its runs, and the truth. */
interface SeededInstance {
  readonly key: 'busy' | 'bursty' | 'idle' | 'never' | 'gone';
  readonly instanceType: string;
  readonly hourlyUsd: number;
  readonly owner: string | null;
  readonly runs: readonly Run[];
  /** Running minutes by band, and the replayed actions: [minute offset, rule, saved minutes, false kill]. */
  readonly truth: {
    readonly minutes: { below5: number; from5to30: number; above30: number; unknown: number };
    readonly neverUsed: boolean;
    readonly actions: readonly (readonly [number, string, number, boolean])[];
  };
}

const days = (count: number, make: (day: number) => Run[]) =>
  Array.from({ length: count }, (_, day) => make(day)).flat();

const busyRuns = days(14, (d) =>
  d === 3
    ? [
        { start: d * DAY + 480, length: 300, value: 70 },
        { start: d * DAY + 790, length: 290, value: 70 },
      ]
    : [{ start: d * DAY + 480, length: 600, value: 70 }],
);
const burstyRuns = days(14, (d) => [
  { start: d * DAY + 540, length: 120, value: 60 },
  { start: d * DAY + 660, length: 120, value: 2 },
  { start: d * DAY + 780, length: 240, value: 60 },
]);

/** The fleet, minute offsets from the backtest's `from`. */
const FLEET: readonly SeededInstance[] = [
  {
    key: 'busy',
    instanceType: 'g5.xlarge',
    hourlyUsd: 1.006,
    owner: 'alice@example.com',
    runs: busyRuns,
    truth: { minutes: { below5: 0, from5to30: 0, above30: 8390, unknown: 10 }, neverUsed: false, actions: [] },
  },
  {
    key: 'bursty',
    instanceType: 'g5.2xlarge',
    hourlyUsd: 1.212,
    owner: 'bob@example.com',
    runs: burstyRuns,
    // Idle holds 60 minutes into the lull (warn), the stop lands 30 minutes later; busy again 30 minutes after.
    truth: {
      minutes: { below5: 14 * 120, from5to30: 0, above30: 14 * 360, unknown: 0 },
      neverUsed: false,
      actions: days(14, (d) => [{ start: d * DAY + 540 + 210, length: 480 - 210, value: 0 }]).map(
        (run) => [run.start, 'idle', run.length, true] as const,
      ),
    },
  },
  {
    key: 'idle',
    instanceType: 'g4dn.xlarge',
    hourlyUsd: 0.526,
    owner: 'carol@example.com',
    runs: [
      { start: 2 * DAY + 600, length: 120, value: 45 },
      { start: 2 * DAY + 720, length: 3 * DAY - 120, value: 1 },
    ],
    truth: {
      minutes: { below5: 3 * DAY - 120, from5to30: 0, above30: 120, unknown: 0 },
      neverUsed: false,
      actions: [[2 * DAY + 600 + 210, 'idle', 3 * DAY - 210, false]],
    },
  },
  {
    key: 'never',
    instanceType: 'g5.xlarge',
    hourlyUsd: 1.006,
    owner: 'dave@example.com',
    runs: [{ start: 5 * DAY, length: 2 * DAY, value: 1 }],
    truth: {
      minutes: { below5: 2 * DAY, from5to30: 0, above30: 0, unknown: 0 },
      neverUsed: true,
      actions: [[5 * DAY + 65, 'never-used', 2 * DAY - 65, false]],
    },
  },
  {
    key: 'gone',
    instanceType: 'p3.8xlarge',
    hourlyUsd: 12.24,
    owner: null,
    runs: [{ start: DAY + 120, length: 360, value: [20, 3] }],
    truth: { minutes: { below5: 0, from5to30: 360, above30: 0, unknown: 0 }, neverUsed: false, actions: [] },
  },
];

/** The `gone` instance's data: per-GPU series that also carry an `InstanceType` dimension, no rollup. */
function goneData(runs: readonly Run[], fromMs: number): MetricDatum[] {
  const data: MetricDatum[] = [];
  for (const run of runs) {
    for (let minute = run.start; minute < run.start + run.length; minute++) {
      const values = typeof run.value === 'number' ? [run.value, run.value] : run.value;
      values.forEach((Value, gpu) => {
        const Dimensions = [
          { Name: 'InstanceId', Value: GONE_ID },
          { Name: 'InstanceType', Value: 'p3.8xlarge' },
          { Name: 'index', Value: String(gpu) },
        ];
        data.push({
          MetricName: 'nvidia_smi_utilization_gpu',
          Dimensions,
          Timestamp: new Date(fromMs + minute * MINUTE_MS),
          Value,
        });
      });
    }
  }
  return data;
}

/**
 * Launches the fleet's live instances, publishes every instance's history, and returns the instance id per key.
 *
 * @param fromMs minute 0 of the history
 */
async function seedFleet(ec2: EC2Client, cloudwatch: CloudWatchClient, fromMs: number): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const data: MetricDatum[] = [];
  for (const instance of FLEET) {
    if (instance.key === 'gone') {
      ids.set('gone', GONE_ID);
      data.push(...goneData(instance.runs, fromMs));
      continue;
    }
    const tags = { Owner: instance.owner ?? '', Name: `<b>${instance.key}</b>` };
    const [id] = await launchInstances(ec2, { instanceType: instance.instanceType, tags });
    ids.set(instance.key, id!);
    const points = instance.runs.flatMap((run) =>
      Array.from({ length: run.length }, (_, k) => ({
        at: fromMs + (run.start + k) * MINUTE_MS,
        value: run.value as number,
      })),
    );
    data.push(...gpuSeriesData(id!, points));
  }
  await putMetricData(cloudwatch, data);
  return ids;
}

export type { SeededInstance };
export { DAY, FLEET, GONE_ID, seedFleet };
