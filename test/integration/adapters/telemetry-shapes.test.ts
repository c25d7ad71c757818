/**
 * GPU telemetry as real instances publish it, read by a full pass against moto: per-GPU series of which some fall
 * silent, series named by host only, a stale rollup beside live per-GPU series, the Deep Learning AMIs' gpumon next
 * to the agent, MIG (memory without utilization), GPUs no source can measure (AMD), and the older config form.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config';
import { launchInstances, minutes, putGpuSeries, putMetricData } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from '../run/run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

describe('telemetry as real publishers shape it', () => {
  let launch: number;
  beforeEach(async () => {
    await moto.reset();
    launch = Math.floor(Date.now() / MIN) * MIN;
  });
  const at = (m: number) => new Date(launch + m * MIN + 30_000);

  async function fixture(overrides: ConfigInput = {}) {
    return runFixture(moto.region, { mode: 'dry-run', ...overrides });
  }

  it('never reads minutes some GPUs were silent in as idle (a g5.12xlarge whose busy GPU stopped publishing)', async () => {
    const fx = await fixture();
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.12xlarge', tags: { Owner: 'ana@example.com' } });
    // GPU 0 at 95% publishes only its first 20 minutes; GPUs 1-3 publish 0% throughout.
    await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 20, [95, 0, 0, 0]), { perGpu: 4, rollup: false });
    const silent = minutes(launch + 20 * MIN, 100, [0, 0, 0]).map((point) => ({
      ...point,
      value: [Number.NaN, ...(point.value as number[])],
    }));
    const data = (await import('../../helpers/fleet')).gpuSeriesData(id!, silent, { perGpu: 4, rollup: false });
    await putMetricData(
      fx.cloudwatch,
      data.filter((datum) => datum.Dimensions?.some((d) => d.Name === 'index' && d.Value !== '0')),
    );
    for (const m of [70, 101]) {
      const pass = await fx.pass(at(m));
      expect(pass.decisions[0]?.outcome).not.toMatch(/warn|act/);
    }
    const later = await fx.pass(at(110));
    expect(later.decisions[0]).toMatchObject({ outcome: 'notify', rule: 'no-telemetry' });
    expect(later.decisions[0]?.reason).toContain('some GPUs were silent');
  });

  it('matches series published by host name only to the instance with that private DNS name', async () => {
    const fx = await fixture();
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'ana@example.com' } });
    const described = await fx.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id!] }));
    const dns = described.Reservations?.[0]?.Instances?.[0]?.PrivateDnsName ?? '';
    expect(dns).not.toBe('');
    const host = dns.split('.')[0]!;
    const datum = (m: number) => ({
      MetricName: 'nvidia_smi_utilization_gpu',
      Dimensions: [
        { Name: 'host', Value: host },
        { Name: 'index', Value: '0' },
        { Name: 'name', Value: 'NVIDIA A10G' },
        { Name: 'arch', Value: 'Ampere' },
      ],
      Timestamp: new Date(launch + m * MIN),
      Value: m < 5 ? 60 : 1,
    });
    await putMetricData(
      fx.cloudwatch,
      Array.from({ length: 100 }, (_, m) => datum(m)),
    );
    // Another agent's series whose host name is no instance's: counted as matching no instance.
    await putMetricData(fx.cloudwatch, [{ ...datum(60), Dimensions: [{ Name: 'host', Value: 'gpu-box-7' }] }]);
    const pass = await fx.pass(at(70));
    expect(pass.decisions[0]).toMatchObject({ instanceId: id, outcome: 'warn', rule: 'idle' });
    expect(pass.unmatchedSeries).toBe(1);
  });

  it('reads the live per-GPU series when the rollup beside them went stale', async () => {
    const fx = await fixture();
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'ana@example.com' } });
    await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 5, 50), { perGpu: 1, rollup: true });
    await putGpuSeries(fx.cloudwatch, id!, minutes(launch + 5 * MIN, 95, 0), { perGpu: 1, rollup: false });
    const pass = await fx.pass(at(70));
    expect(pass.decisions[0]).toMatchObject({ outcome: 'warn', rule: 'idle' });
  });

  it('takes the maximum across sources: a busy gpumon GPU keeps an instance the agent sees idle', async () => {
    const fx = await fixture();
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'ana@example.com' } });
    await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 100, 0), { perGpu: 1, rollup: false });
    const gpumon = Array.from({ length: 100 }, (_, m) => ({
      MetricName: 'GPU Usage',
      Dimensions: [
        { Name: 'InstanceId', Value: id! },
        { Name: 'ImageId', Value: 'ami-0123456789abcdef0' },
        { Name: 'InstanceType', Value: 'g5.xlarge' },
        { Name: 'GPUNumber', Value: '0' },
      ],
      Timestamp: new Date(launch + m * MIN),
      Value: 90,
      Unit: 'Percent' as const,
    }));
    await putMetricData(fx.cloudwatch, gpumon, 'DeepLearningTrain');
    const pass = await fx.pass(at(70));
    expect(pass.decisions[0]).toMatchObject({ outcome: 'keep' });
    expect(pass.decisions[0]?.evidence.maxUtilization).toBe(90);
  });

  it('names MIG for an NVIDIA instance that publishes GPU memory but no utilization', async () => {
    const fx = await fixture();
    const [id] = await launchInstances(fx.ec2, { instanceType: 'p4d.24xlarge', tags: { Owner: 'ana@example.com' } });
    const memory = Array.from({ length: 60 }, (_, m) => ({
      MetricName: 'nvidia_smi_memory_used',
      Dimensions: [
        { Name: 'InstanceId', Value: id! },
        { Name: 'index', Value: '0' },
      ],
      Timestamp: new Date(launch + m * MIN),
      Value: 1024,
    }));
    await putMetricData(fx.cloudwatch, memory);
    const pass = await fx.pass(at(70));
    expect(pass.decisions[0]).toMatchObject({ outcome: 'notify', rule: 'no-telemetry' });
    expect(pass.decisions[0]?.reason).toContain('MIG');
  });

  it('applies no telemetry rule to GPUs no source can measure (AMD), and tells the owner nothing', async () => {
    const fx = await fixture();
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g4ad.xlarge', tags: { Owner: 'ana@example.com' } });
    const pass = await fx.pass(at(70));
    expect(pass.decisions[0]).toMatchObject({ instanceId: id, outcome: 'keep' });
    expect(pass.decisions[0]?.reason).toContain('telemetry unsupported (AMD)');
    expect(pass.events).toHaveLength(0);
  });

  it('still reads the older single-metric config form', async () => {
    const fx = await fixture({ metrics: { namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' } });
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'ana@example.com' } });
    await putGpuSeries(fx.cloudwatch, id!, [...minutes(launch, 5, 50), ...minutes(launch + 5 * MIN, 95, 1)]);
    expect(fx.config.metrics.sources).toEqual([{ namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' }]);
    const pass = await fx.pass(at(70));
    expect(pass.decisions[0]).toMatchObject({ outcome: 'warn', rule: 'idle' });
  });
});
