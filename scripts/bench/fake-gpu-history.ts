/**
 * An in-process CloudWatch and EC2 for the fleet audit bench (g): real SDK clients whose `send` answers ListMetrics,
 * GetMetricData and DescribeInstances from a synthetic fleet, and counts every call and every metric requested as
 * it arrives. Real clients, not plain objects, because the SDK's paginators check `instanceof` the client class.
 * Nothing is serialized or sent, so the wall time of a read through them is the reader's and the audit's own.
 *
 * The fleet: `singleGpu` one-GPU g5.xlarge publishing the CloudWatch agent's `InstanceId` rollup only, and
 * `fourGpu` g5.12xlarge publishing the rollup plus one series per GPU (`InstanceId` + `index` 0–3). Each instance
 * gets a profile from a seeded draw (busy, idle, never used, office hours; on four GPUs: one, two or all busy), and
 * each GetMetricData answer is drawn from a generator seeded by the series and the call's window, so a rerun
 * answers the same values and nothing of the week is held between calls.
 */
import {
  CloudWatchClient,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type ListMetricsCommandInput,
  type ListMetricsCommandOutput,
  type Metric,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { RegionClients } from '../../shared/adapters/aws/clients';
import { seededRandom } from './seeded-random';

/** The synthetic fleet's size. */
interface FakeFleetShape {
  readonly singleGpu: number;
  readonly fourGpu: number;
  /** The week's first minute (ms), where every series' pattern starts. */
  readonly fromMs: number;
  readonly seed?: number;
}

/** What the fake endpoints were asked, counted as the calls arrived. */
interface FakeCallCounts {
  listMetrics: number;
  getMetricData: number;
  /** Queries over all GetMetricData calls: what CloudWatch bills ("metrics requested"). */
  metricsRequested: number;
  /** GetMetricData pages answered with a NextToken (an answer over the datapoint ceiling). */
  continuedPages: number;
  datapointsReturned: number;
  describeInstances: number;
}

const NAMESPACE = 'CWAgent';
const METRIC = 'nvidia_smi_utilization_gpu';
/** ListMetrics answers up to 500 metrics a page. */
const LIST_PAGE = 500;
/** GetMetricData's ceiling of datapoints in one answer: more continue behind a NextToken. */
const MAX_DATAPOINTS = 100_800;
const PERIOD_MS = 300_000;
/** Five-minute periods a day. */
const PERIODS_PER_DAY = 288;
const TEAMS = ['research', 'vision', 'speech', 'platform', 'ranking', 'ads', 'robotics', 'llm'] as const;

/** How one GPU behaves while its instance runs: utilization `level` ± `noise`, percent. */
interface GpuProfile {
  readonly level: number;
  readonly noise: number;
}

/** One instance of the synthetic fleet. */
interface FakeInstance {
  readonly instanceId: string;
  readonly instanceType: 'g5.xlarge' | 'g5.12xlarge';
  readonly gpus: readonly GpuProfile[];
  /** Runs from this 5-minute period of the week to `endPeriod` (exclusive). */
  readonly startPeriod: number;
  readonly endPeriod: number;
  /** Runs 8:00–20:00 on weekdays only, within its stretch. */
  readonly officeHours: boolean;
  readonly team: string;
  readonly project: string;
  readonly owner: string;
}

const instanceId = (index: number) => `i-${index.toString(16).padStart(17, '0')}`;
const IDLE: GpuProfile = { level: 1, noise: 2 };
const NEVER: GpuProfile = { level: 0, noise: 0 };

function profileOf(index: number, gpuCount: 1 | 4, seed: number): FakeInstance {
  const random = seededRandom(seed * 1_000_003 + index);
  const pick = random();
  const busy = (): GpuProfile => ({ level: 40 + random() * 55, noise: 5 + random() * 15 });
  const low = (): GpuProfile => ({ level: 8 + random() * 18, noise: 3 });
  let gpus: GpuProfile[];
  if (gpuCount === 1) {
    // 60% busy, 15% idle, 10% never used, 10% office hours, 5% low use.
    const one = pick < 0.6 ? busy() : pick < 0.75 ? IDLE : pick < 0.85 ? NEVER : pick < 0.95 ? busy() : low();
    gpus = [one];
  } else {
    // 50% every GPU busy, 25% one GPU busy (right-size to one), 15% two busy, 10% idle.
    const busyCount = pick < 0.5 ? 4 : pick < 0.75 ? 1 : pick < 0.9 ? 2 : 0;
    gpus = Array.from({ length: 4 }, (_, gpu) => (gpu < busyCount ? busy() : IDLE));
  }
  // Most run all week; a fifth start late or stop early.
  const partial = random() < 0.2;
  const startPeriod = partial ? Math.floor(random() * 3 * PERIODS_PER_DAY) : 0;
  const endPeriod = partial ? startPeriod + Math.floor((1 + random() * 3) * PERIODS_PER_DAY) : 7 * PERIODS_PER_DAY;
  return {
    instanceId: instanceId(index),
    instanceType: gpuCount === 1 ? 'g5.xlarge' : 'g5.12xlarge',
    gpus,
    startPeriod,
    endPeriod,
    officeHours: gpuCount === 1 && pick >= 0.85 && pick < 0.95,
    team: TEAMS[index % TEAMS.length]!,
    project: `project-${(index % 20) + 1}`,
    owner: `user${index % 300}@example.com`,
  };
}

function running(instance: FakeInstance, period: number): boolean {
  if (period < instance.startPeriod || period >= instance.endPeriod) return false;
  if (!instance.officeHours) return true;
  const day = Math.floor(period / PERIODS_PER_DAY);
  const ofDay = period % PERIODS_PER_DAY;
  return day % 7 < 5 && ofDay >= 96 && ofDay < 240;
}

/** The fake clients, the fleet they answer for, and what they were asked. */
class FakeGpuHistory {
  readonly counts: FakeCallCounts = {
    listMetrics: 0,
    getMetricData: 0,
    metricsRequested: 0,
    continuedPages: 0,
    datapointsReturned: 0,
    describeInstances: 0,
  };
  readonly #instances: readonly FakeInstance[];
  readonly #byId: ReadonlyMap<string, FakeInstance>;
  /** Every listed metric, in listing order (each instance's rollup, then its GPUs). */
  readonly #metrics: readonly Metric[];
  readonly #fromMs: number;
  readonly #seed: number;

  constructor(shape: FakeFleetShape) {
    this.#seed = shape.seed ?? 20;
    this.#fromMs = shape.fromMs;
    const total = shape.singleGpu + shape.fourGpu;
    this.#instances = Array.from({ length: total }, (_, index) =>
      profileOf(index, index < shape.singleGpu ? 1 : 4, this.#seed),
    );
    this.#byId = new Map(this.#instances.map((instance) => [instance.instanceId, instance]));
    this.#metrics = this.#instances.flatMap((instance) => {
      const rollup: Metric = {
        Namespace: NAMESPACE,
        MetricName: METRIC,
        Dimensions: [{ Name: 'InstanceId', Value: instance.instanceId }],
      };
      if (instance.gpus.length === 1) return [rollup];
      return [
        rollup,
        ...instance.gpus.map((_, gpu) => ({
          Namespace: NAMESPACE,
          MetricName: METRIC,
          Dimensions: [
            { Name: 'InstanceId', Value: instance.instanceId },
            { Name: 'index', Value: String(gpu) },
          ],
        })),
      ];
    });
  }

  /** Series the listing holds. */
  get seriesListed(): number {
    return this.#metrics.length;
  }

  /** One region's clients, answering from this fleet. */
  clients(region: string): RegionClients {
    const cloudwatch = new CloudWatchClient({ region });
    const ec2 = new EC2Client({ region });
    const answer = async (command: { constructor: { name: string }; input: unknown }) => this.#answer(command);
    // The SDK's `send` is overloaded; the fake answers the promise form the reader uses.
    cloudwatch.send = answer as unknown as CloudWatchClient['send'];
    ec2.send = answer as unknown as EC2Client['send'];
    return { cloudwatch, ec2 };
  }

  async #answer(command: { constructor: { name: string }; input: unknown }): Promise<unknown> {
    // A real answer arrives on a later turn of the event loop: timers (the RSS sampler) and the collector get theirs.
    await new Promise((resolve) => setImmediate(resolve));
    switch (command.constructor.name) {
      case 'ListMetricsCommand':
        return this.#listMetrics(command.input as ListMetricsCommandInput);
      case 'GetMetricDataCommand':
        return this.#getMetricData(command.input as GetMetricDataCommandInput);
      case 'DescribeInstancesCommand':
        return this.#describeInstances(command.input as DescribeInstancesCommandInput);
      default:
        throw new Error(`fake AWS: no answer for ${command.constructor.name}`);
    }
  }

  #listMetrics(input: ListMetricsCommandInput): ListMetricsCommandOutput {
    this.counts.listMetrics += 1;
    const mine = input.Namespace === NAMESPACE && input.MetricName === METRIC;
    const start = Number(input.NextToken ?? 0);
    const page = mine ? this.#metrics.slice(start, start + LIST_PAGE) : [];
    const next = start + LIST_PAGE;
    return {
      Metrics: page,
      ...(mine && next < this.#metrics.length ? { NextToken: String(next) } : {}),
      $metadata: {},
    };
  }

  /** One series' datapoints over a window: none where the instance is stopped, as CloudWatch has none then. */
  #values(instance: FakeInstance, gpu: number | null, firstPeriod: number, periods: number) {
    const profiles = gpu === null ? instance.gpus : [instance.gpus[gpu]!];
    const series = Number.parseInt(instance.instanceId.slice(-8), 16) * 5 + (gpu ?? 4);
    const random = seededRandom((this.#seed ^ series) + firstPeriod * 7919);
    const values: number[] = [];
    const stamps: Date[] = [];
    for (let offset = 0; offset < periods; offset++) {
      const period = firstPeriod + offset;
      if (!running(instance, period)) continue;
      let value = 0;
      // A rollup is the maximum across the instance's GPUs.
      for (const profile of profiles) {
        value = Math.max(value, profile.level + (random() * 2 - 1) * profile.noise);
      }
      values.push(Math.min(100, Math.max(0, Math.round(value))));
      stamps.push(new Date(this.#fromMs + period * PERIOD_MS));
    }
    return { values, stamps };
  }

  #getMetricData(input: GetMetricDataCommandInput): GetMetricDataCommandOutput {
    const queries = input.MetricDataQueries ?? [];
    this.counts.getMetricData += 1;
    if (!input.NextToken) this.counts.metricsRequested += queries.length;
    else this.counts.continuedPages += 1;
    const startMs = input.StartTime!.getTime();
    const endMs = input.EndTime!.getTime();
    const periodMs = (queries[0]?.MetricStat?.Period ?? 300) * 1000;
    if (periodMs !== PERIOD_MS)
      throw new Error(`fake AWS: the synthetic history has 5-minute data only, not ${periodMs} ms`);
    const firstPeriod = Math.ceil((startMs - this.#fromMs) / PERIOD_MS);
    const periods = Math.max(0, Math.ceil((endMs - this.#fromMs) / PERIOD_MS) - firstPeriod);
    // Like CloudWatch: whole queries per page, the rest behind a NextToken once a page would pass the ceiling.
    const perPage = Math.max(1, Math.floor(MAX_DATAPOINTS / Math.max(1, periods)));
    const first = Number(input.NextToken ?? 0);
    const results: MetricDataResult[] = [];
    for (const query of queries.slice(first, first + perPage)) {
      const dimensions = query.MetricStat?.Metric?.Dimensions ?? [];
      const instance = this.#byId.get(dimensions.find((d) => d.Name === 'InstanceId')?.Value ?? '');
      const index = dimensions.find((d) => d.Name === 'index')?.Value;
      if (!instance) {
        results.push({ Id: query.Id, StatusCode: 'Complete', Values: [], Timestamps: [] });
        continue;
      }
      const { values, stamps } = this.#values(
        instance,
        index === undefined ? null : Number(index),
        firstPeriod,
        periods,
      );
      this.counts.datapointsReturned += values.length;
      results.push({ Id: query.Id, StatusCode: 'Complete', Values: values, Timestamps: stamps });
    }
    const next = first + perPage;
    return {
      MetricDataResults: results,
      ...(next < queries.length ? { NextToken: String(next) } : {}),
      Messages: [],
      $metadata: {},
    };
  }

  #describeInstances(input: DescribeInstancesCommandInput): DescribeInstancesCommandOutput {
    this.counts.describeInstances += 1;
    const instances = (input.InstanceIds ?? []).flatMap((id) => {
      const instance = this.#byId.get(id);
      if (!instance) return [];
      return [
        {
          InstanceId: id,
          InstanceType: instance.instanceType,
          State: { Name: 'running' as const, Code: 16 },
          Tags: [
            { Key: 'Team', Value: instance.team },
            { Key: 'Project', Value: instance.project },
            { Key: 'Owner', Value: instance.owner },
          ],
        },
      ];
    });
    return { Reservations: [{ ReservationId: 'r-fake', Instances: instances }], $metadata: {} };
  }
}

export type { FakeCallCounts, FakeFleetShape };
export { FakeGpuHistory };
