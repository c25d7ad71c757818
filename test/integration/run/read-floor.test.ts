/**
 * Reads at the floor, against moto: four hours of passes, one every 5 minutes (in process, as the Lambda runs
 * them), counting the metrics each GetMetricData call asks for per instance. After the first 90 minutes an opted-out
 * instance is read at most hourly, a busy one once per idle window, and a 1-GPU rollup idle candidate costs one
 * metric a pass: its rollup is its one GPU, so nothing is proven per GPU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CallCounter, type CountableClient } from '../../../shared/adapters/aws/call-counter';
import { lookbackMs } from '../../../shared/engine';
import { composePublisher, composeRegions, composeTable } from '../../../shared/pass/compose';
import { runPass } from '../../../shared/pass/run-pass';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { reaperResources } from '../../helpers/reaper-resources';

const moto = useMoto({ threaded: false });
const MIN = 60_000;
const PASSES = 48;

/** What one pass asked GetMetricData for one instance. */
interface Asked {
  /** GPU metrics over the pass's window (Maximum), and of them the SampleCount probes. */
  gpu: number;
  sampleCount: number;
  /** GPU metrics since launch, host metrics (`AWS/EC2`). */
  sinceLaunch: number;
  host: number;
}

/** Counts the metric queries of every GetMetricData call by the instance each one names, pass by pass. */
class MetricsPerInstance extends CallCounter {
  readonly passes: Map<string, Asked>[] = [];
  windowStart = 0;

  override attach<C extends CountableClient>(client: C): C {
    super.attach(client);
    type Query = {
      MetricStat?: { Stat?: string; Metric?: { Namespace?: string; Dimensions?: { Name?: string; Value?: string }[] } };
    };
    client.middlewareStack.add(
      (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          const pass = this.passes.at(-1);
          if (pass && context.commandName === 'GetMetricDataCommand') {
            const start = (args.input.StartTime as Date).getTime();
            for (const query of (args.input.MetricDataQueries ?? []) as Query[]) {
              const metric = query.MetricStat?.Metric;
              const id = metric?.Dimensions?.find((d) => d.Name === 'InstanceId')?.Value ?? '?';
              const asked = pass.get(id) ?? { gpu: 0, sampleCount: 0, sinceLaunch: 0, host: 0 };
              pass.set(id, asked);
              if (metric?.Namespace === 'AWS/EC2') asked.host += 1;
              else if (start !== this.windowStart) asked.sinceLaunch += 1;
              else {
                asked.gpu += 1;
                if (query.MetricStat?.Stat === 'SampleCount') asked.sampleCount += 1;
              }
            }
          }
          return next(args);
        },
      { step: 'initialize', name: 'metricsPerInstance', override: true },
    );
    return client;
  }
}

describe('reads at the floor over four hours', () => {
  const counter = new MetricsPerInstance();
  const fleet: Record<string, string[]> = {};
  let launch = 0;

  beforeAll(async () => {
    await moto.reset();
    const resources = await reaperResources(moto.region, 'reaper-floor', { mode: 'dry-run' });
    const { config, table, topicArn } = resources;
    const edges = { config, regions: [moto.region], homeRegion: moto.region, table, topicArn, counter };
    const regions = composeRegions(edges);
    const { cloudwatch } = resources;
    launch = Math.floor(Date.now() / MIN) * MIN;
    const kinds = {
      busy: { instanceType: 'g5.xlarge', count: 3, tags: { Owner: 'ana@example.com' } },
      idle: { instanceType: 'g5.xlarge', count: 3, tags: { Owner: 'bo@example.com' } },
      optedOut: {
        instanceType: 'g5.xlarge',
        count: 3,
        tags: { Owner: 'cy@example.com', 'gpu-reaper:opt-out': 'true' },
      },
      multiGpuIdle: { instanceType: 'g5.12xlarge', count: 1, tags: { Owner: 'di@example.com' } },
    };
    for (const [kind, spec] of Object.entries(kinds)) fleet[kind] = await launchInstances(resources.ec2, spec);
    const span = 5 * 60;
    for (const id of fleet.busy!) await putGpuSeries(cloudwatch, id, minutes(launch, span, 70));
    for (const id of fleet.idle!) await putGpuSeries(cloudwatch, id, minutes(launch, span, 1));
    // Opted out: idle two of them (read every pass before), busy the third.
    for (const [n, id] of fleet.optedOut!.entries())
      await putGpuSeries(cloudwatch, id, minutes(launch, span, n ? 1 : 70));
    for (const id of fleet.multiGpuIdle!) await putGpuSeries(cloudwatch, id, minutes(launch, span, 1));

    const lookback = lookbackMs(config);
    for (let pass = 0; pass < PASSES; pass++) {
      const now = new Date(launch + (5 + pass * 5) * MIN + 30_000);
      // Counted from the 90th minute on, as the 4-hour check counts.
      if (pass * 5 + 5 >= 90) counter.passes.push(new Map());
      counter.windowStart = Math.floor((now.getTime() - lookback) / MIN) * MIN;
      await runPass({ config, now, ...regions, ...composeTable(edges, table), publisher: composePublisher(edges) });
    }
  }, 600_000);

  const asked = (kind: string, field: keyof Asked) =>
    counter.passes.map((pass) => fleet[kind]!.map((id) => pass.get(id)?.[field] ?? 0));
  const sum = (rows: number[][]) => rows.flat().reduce((a, b) => a + b, 0);

  it('reads an opted-out instance at most hourly (and a busy one once per idle window)', () => {
    const minutes = counter.passes.length * 5;
    for (const kind of ['optedOut', 'busy']) {
      for (const [n] of fleet[kind]!.entries()) {
        const reads = asked(kind, 'gpu').filter((row) => row[n]! > 0).length;
        expect(reads, kind).toBeGreaterThan(0);
        expect(reads, kind).toBeLessThanOrEqual(Math.ceil(minutes / (kind === 'busy' ? 30 : 60)));
      }
    }
  });

  it('reads a 1-GPU rollup idle candidate with exactly one window metric a pass, never a probe', () => {
    expect(asked('idle', 'gpu').every((row) => row.every((count) => count === 1))).toBe(true);
    expect(sum(asked('idle', 'sampleCount'))).toBe(0);
  });

  it('still proves a multi-GPU rollup idle candidate every pass', () => {
    expect(asked('multiGpuIdle', 'sampleCount').every((row) => row[0] === 1)).toBe(true);
  });
});
