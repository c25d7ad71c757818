/**
 * What host activity costs, read from the GetMetricData calls a real pass sends to moto (the real SDK, the pass
 * wired as the CLI wires it): only instances a GPU rule could act on get EC2's three host metrics, in the same call
 * as their GPU proofs; busy, opted-out, managed and young instances get none. A host read that fails leaves the GPU
 * rules to judge alone, as without the feature.
 */
import type { GetMetricDataInput, GetMetricDataOutput, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientLayer } from '../../../shared/adapters/aws/clients';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { type ConfigInput, parseConfig } from '../../../shared/config';
import type { Decision } from '../../../shared/engine/types';
import { composeRegions } from '../../../shared/pass/compose';
import { planPass } from '../../../shared/pass/plan-pass';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { putHostTimeline } from '../../helpers/host-timeline';
import { useMoto } from '../../helpers/moto';

const moto = useMoto();
const MIN = 60_000;

type Middleware = (
  next: (args: { input: GetMetricDataInput }) => Promise<{ output: GetMetricDataOutput }>,
  context: { commandName?: string },
) => (args: { input: GetMetricDataInput }) => Promise<{ output: GetMetricDataOutput }>;

/** Keeps every GetMetricData input a client sends and, when told, fails the answers to `AWS/EC2` queries. */
class MetricDataLog implements ClientLayer {
  readonly calls: GetMetricDataInput[] = [];
  failHost = false;
  attach(client: { readonly middlewareStack: unknown }) {
    const middleware: Middleware = (next, context) => async (args) => {
      if (context.commandName !== 'GetMetricDataCommand') return next(args);
      this.calls.push(args.input);
      const result = await next(args);
      if (!this.failHost) return result;
      const host = new Set(
        (args.input.MetricDataQueries ?? []).filter((query) => namespaceOf(query) === 'AWS/EC2').map((q) => q.Id),
      );
      const MetricDataResults = (result.output.MetricDataResults ?? []).map((answer) =>
        host.has(answer.Id) ? { ...answer, StatusCode: 'InternalError' as const, Timestamps: [], Values: [] } : answer,
      );
      return { ...result, output: { ...result.output, MetricDataResults } };
    };
    (client.middlewareStack as { add(m: unknown, o: object): void }).add(middleware, {
      step: 'initialize',
      name: 'metricDataLog',
    });
    return client;
  }
  /** The queries of every call, with the call they were sent in. */
  queries(): { call: number; query: MetricDataQuery }[] {
    return this.calls.flatMap((input, call) => (input.MetricDataQueries ?? []).map((query) => ({ call, query })));
  }
}

const namespaceOf = (query: MetricDataQuery) => query.MetricStat?.Metric?.Namespace;
const instanceOf = (query: MetricDataQuery) =>
  query.MetricStat?.Metric?.Dimensions?.find((dimension) => dimension.Name === 'InstanceId')?.Value;
const gpuOf = (query: MetricDataQuery) =>
  query.MetricStat?.Metric?.Dimensions?.find((dimension) => dimension.Name === 'index')?.Value;

describe('host reads against moto', () => {
  const ids: Record<string, string> = {};
  let launched: number;
  const at = (m: number) => new Date(launched + m * MIN + 20_000);

  /** One plan pass with a fresh log on its clients. */
  async function plan(now: Date, input: ConfigInput = {}, failHost = false) {
    const config = parseConfig({ regions: [moto.region], ...input });
    const log = new MetricDataLog();
    log.failHost = failHost;
    const { readers } = composeRegions({
      config,
      regions: [moto.region],
      homeRegion: moto.region,
      table: null,
      topicArn: null,
      clients: { maxAttempts: 1, layers: [log] },
    });
    const result = await planPass({ config, now, readers });
    const decisions = new Map(result.decisions.map((decision) => [decision.instanceId, decision]));
    return { log, decisionOf: (name: string) => decisions.get(ids[name]!) as Decision };
  }

  beforeAll(async () => {
    const ec2 = new EC2Client(clientOptions(moto.region));
    const cw = new CloudWatchClient(clientOptions(moto.region));
    const fleet: [string, string, Record<string, string>?][] = [
      ['quietFour', 'g5.12xlarge'],
      ['quietOne', 'g5.xlarge'],
      ['busy', 'g5.xlarge'],
      ['optedOut', 'g5.xlarge', { 'gpu-reaper:opt-out': 'yes' }],
      ['asg', 'g5.xlarge', { 'aws:autoscaling:groupName': 'workers' }],
      ['restarted', 'g5.xlarge'],
      ['idleAfterUse', 'g5.xlarge'],
    ];
    for (const [name, instanceType, tags] of fleet) {
      const [id] = await launchInstances(ec2, { instanceType, tags: { Owner: `${name}@example.com`, ...tags } });
      ids[name] = id!;
    }
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: Object.values(ids) }));
    const launches = (described.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.LaunchTime!);
    launched = Math.max(...launches.map((time) => time.getTime()));
    const start = Math.floor(Math.min(...launches.map((time) => time.getTime())) / MIN) * MIN;
    // Four GPUs, their rollup and per-GPU series (the rollup is proven per GPU), never used.
    await putGpuSeries(cw, ids.quietFour!, minutes(start, 180, [0, 0, 0, 0]), { rollup: true });
    await putGpuSeries(cw, ids.quietOne!, minutes(start, 180, 0));
    await putGpuSeries(cw, ids.busy!, minutes(start, 180, 75));
    await putGpuSeries(cw, ids.optedOut!, minutes(start, 180, 0));
    await putGpuSeries(cw, ids.asg!, minutes(start, 180, 0));
    // Busy in its previous run, until 15 minutes before this start; idle since, its host downloading.
    await putGpuSeries(cw, ids.restarted!, [...minutes(start - 50 * MIN, 35, 90), ...minutes(start, 180, 0)]);
    // Used for its first 20 minutes, idle since, its host preprocessing.
    await putGpuSeries(cw, ids.idleAfterUse!, [...minutes(start, 20, 80), ...minutes(start + 20 * MIN, 160, 0)]);
    for (const name of Object.keys(ids)) {
      const busy = name === 'restarted' || name === 'idleAfterUse';
      const host = busy ? { from: 0, cpu: 60, inMiB: 100, outMiB: 1 } : { from: 0, cpu: 1, inMiB: 0.01, outMiB: 0.01 };
      await putHostTimeline(cw, ids[name]!, start, [host], { until: 180 });
    }
  }, 120_000);

  it('asks EC2 for CPU Maximum and network in and out Sum per minute, only for the quiet candidates', async () => {
    const { log } = await plan(at(35));
    const host = log.queries().filter(({ query }) => namespaceOf(query) === 'AWS/EC2');
    const byInstance = (name: string) => host.filter(({ query }) => instanceOf(query) === ids[name]);
    for (const name of ['quietFour', 'quietOne']) {
      expect(
        byInstance(name).map(({ query }) => [
          query.MetricStat?.Metric?.MetricName,
          query.MetricStat?.Stat,
          query.MetricStat?.Period,
          query.MetricStat?.Metric?.Dimensions,
        ]),
      ).toEqual([
        ['CPUUtilization', 'Maximum', 60, [{ Name: 'InstanceId', Value: ids[name] }]],
        ['NetworkIn', 'Sum', 60, [{ Name: 'InstanceId', Value: ids[name] }]],
        ['NetworkOut', 'Sum', 60, [{ Name: 'InstanceId', Value: ids[name] }]],
      ]);
    }
    // Busy GPUs (over the GPU rules' span), an opted-out instance and an ASG member cost no host query at all.
    expect(byInstance('restarted')).toHaveLength(3);
    expect(host).toHaveLength(9);
    for (const name of ['busy', 'optedOut', 'asg', 'idleAfterUse']) expect(byInstance(name)).toEqual([]);
  });

  it('sends the host queries in the same call as the GPU proofs, never in the first read', async () => {
    const { log } = await plan(at(35));
    const queries = log.queries();
    const proofCall = queries.find(({ query }) => instanceOf(query) === ids.quietFour && gpuOf(query) === '0')!.call;
    const hostCalls = new Set(queries.filter(({ query }) => namespaceOf(query) === 'AWS/EC2').map(({ call }) => call));
    expect([...hostCalls]).toEqual([proofCall]);
    // No host query rides in the SampleCount calls, or in any read before the GPUs proved quiet.
    const first = queries.filter(({ call }) => call < proofCall);
    expect(first.length).toBeGreaterThan(0);
    expect(first.every(({ query }) => namespaceOf(query) === 'CWAgent')).toBe(true);
  });

  it('reads no host for anyone before a GPU rule could act (30 minutes since launch)', async () => {
    const { log, decisionOf } = await plan(at(20));
    expect(log.queries().filter(({ query }) => namespaceOf(query) === 'AWS/EC2')).toEqual([]);
    expect(decisionOf('quietOne')).toMatchObject({ outcome: 'keep' });
  });

  it('reads the host of a run never used since its start, whatever the GPU did before that start', async () => {
    const { decisionOf } = await plan(at(35));
    const decision = decisionOf('restarted');
    expect(decision).toMatchObject({ outcome: 'keep', rule: null });
    expect(decision.reason).toMatch(
      /^GPU never used in 35m since launch \(max 0%\), but the host is busy: CPU max 60%/,
    );
  });

  it('reads the host of a GPU idle for the idle window after a use, with a longer neverUsed.after', async () => {
    // The GPU rules' longest window (2h) holds the busy start; idle judges only its last hour.
    const { log, decisionOf } = await plan(at(100), { neverUsed: { after: '2h' } });
    const decision = decisionOf('idleAfterUse');
    expect(decision).toMatchObject({ outcome: 'keep', rule: null });
    expect(decision.reason).toMatch(/^GPU idle for the last 1h \(max 0%\), but the host is busy: CPU max 60%/);
    expect(decision.reason).toContain('the host is working');
    const host = log.queries().filter(({ query }) => namespaceOf(query) === 'AWS/EC2');
    expect(host.filter(({ query }) => instanceOf(query) === ids.idleAfterUse)).toHaveLength(3);
  });

  it('judges by the GPUs alone when the host read fails, saying the host activity is unknown', async () => {
    const failed = await plan(at(35), {}, true);
    const alone = await plan(at(35), { activity: { host: { enabled: false } } });
    expect(alone.log.queries().some(({ query }) => namespaceOf(query) === 'AWS/EC2')).toBe(false);
    for (const name of ['quietFour', 'quietOne']) {
      const decision = failed.decisionOf(name);
      const gpuOnly = alone.decisionOf(name);
      expect(gpuOnly).toMatchObject({ outcome: 'warn', rule: 'never-used', action: 'stop' });
      expect(decision).toMatchObject({ outcome: gpuOnly.outcome, rule: gpuOnly.rule, action: gpuOnly.action });
      expect(decision.reason).toContain(
        'host activity unknown (the host metrics could not be read (GetMetricData: status InternalError))',
      );
      expect(decision.evidence.host).toMatchObject({ state: 'unknown', periods: 0, cpuMax: null });
    }
    // The GPU reads themselves were fine: nothing else changed.
    expect(failed.decisionOf('busy')).toMatchObject({ outcome: 'keep' });
  });
});
