/**
 * The EC2 adapter with the real SDK against moto: what a scan keeps and leaves out, the GPU catalog's answers
 * (fractional and unknown types included), the fresh re-describe before acting, and the EC2 mutations.
 */
import {
  DescribeInstancesCommand,
  type EC2Client,
  type InstanceMarketOptionsRequest,
  RequestSpotInstancesCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { CallCounter, createRegionClients } from '../../../shared/adapters/aws/clients';
import { Ec2Instances } from '../../../shared/adapters/ec2/ec2-instances';
import { AwsError, ErrorCode } from '../../../shared/errors';
import { defaultImageId, launchInstances, stopInstances } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';

const moto = useMoto();

describe('Ec2Instances against moto', () => {
  let ec2: EC2Client;
  let counter: CallCounter;
  let instances: Ec2Instances;

  beforeEach(async () => {
    await moto.reset();
    counter = new CallCounter();
    ({ ec2 } = createRegionClients(moto.region, { counter }));
    instances = new Ec2Instances(ec2, moto.region);
  });

  it('keeps running GPU instances and leaves out non-GPU and stopped ones', async () => {
    const g5 = await launchInstances(ec2, { instanceType: 'g5.xlarge', count: 2, tags: { Owner: 'ana@example.com' } });
    const [p5] = await launchInstances(ec2, { instanceType: 'p5.48xlarge' });
    const [g6f] = await launchInstances(ec2, { instanceType: 'g6f.large' });
    await launchInstances(ec2, { instanceType: 't3.micro', count: 2 });
    await launchInstances(ec2, { instanceType: 'c5.large' });
    const stopped = await launchInstances(ec2, { instanceType: 'g5.2xlarge' });
    await stopInstances(ec2, stopped);

    const scan = await instances.scanGpuInstances({ scopeTags: {} });

    expect(scan.instances.map((i) => i.instanceId).sort()).toEqual([...g5, p5, g6f].sort());
    expect(scan.nonGpu).toBe(3);
    expect(scan.unknownTypes).toEqual([]);
    const byId = new Map(scan.instances.map((i) => [i.instanceId, i]));
    expect(byId.get(p5!)?.gpu).toMatchObject({ hasGpu: true, count: 8, source: 'instance-types' });
    // Fractional GPU: Count 0, yet a GPU instance (LogicalGpuCount / TotalGpuMemoryInMiB).
    expect(byId.get(g6f!)?.gpu).toMatchObject({ hasGpu: true, count: 0, source: 'instance-types' });
    expect(byId.get(g5[0]!)).toMatchObject({
      region: moto.region,
      accountId: '123456789012',
      instanceType: 'g5.xlarge',
      state: 'running',
      rootDeviceType: 'ebs',
      spot: null,
      tags: { Owner: 'ana@example.com' },
    });
    expect(byId.get(g5[0]!)?.launchTime).toBeInstanceOf(Date);
    expect(counter.calls('EC2:DescribeInstanceTypes')).toBe(1);
  });

  it('narrows by scope tags: each key must carry one of its values', async () => {
    const [training] = await launchInstances(ec2, {
      instanceType: 'g5.xlarge',
      tags: { Purpose: 'training', Team: 'ml' },
    });
    const [evaluation] = await launchInstances(ec2, {
      instanceType: 'g5.xlarge',
      tags: { Purpose: 'eval', Team: 'ml' },
    });
    await launchInstances(ec2, { instanceType: 'g5.xlarge', tags: { Purpose: 'training', Team: 'web' } });
    await launchInstances(ec2, { instanceType: 'g5.xlarge', tags: { Purpose: 'serving', Team: 'ml' } });
    await launchInstances(ec2, { instanceType: 'g5.xlarge' });

    const scan = await instances.scanGpuInstances({ scopeTags: { Purpose: ['training', 'eval'], Team: ['ml'] } });

    expect(scan.instances.map((i) => i.instanceId).sort()).toEqual([training, evaluation].sort());
  });

  it("reads each type's maker, partition and Neuron devices as DescribeInstanceTypes gives them", async () => {
    const [amd] = await launchInstances(ec2, { instanceType: 'g4ad.xlarge' });
    const [habana] = await launchInstances(ec2, { instanceType: 'dl1.24xlarge' });
    const [a100] = await launchInstances(ec2, { instanceType: 'p4d.24xlarge' });
    const [fraction] = await launchInstances(ec2, { instanceType: 'g6f.large' });
    const [trainium] = await launchInstances(ec2, { instanceType: 'trn1.2xlarge' });
    await launchInstances(ec2, { instanceType: 'dl2q.24xlarge' });

    const gpusOnly = await instances.scanGpuInstances({ scopeTags: {} });
    const all = await instances.scanGpuInstances({ scopeTags: {}, accelerators: ['gpu', 'neuron'] });

    expect(gpusOnly.instances.map((i) => i.instanceId).sort()).toEqual([amd, habana, a100, fraction].sort());
    expect(gpusOnly.nonGpu).toBe(2);
    const byId = new Map(all.instances.map((i) => [i.instanceId, i.gpu]));
    expect(byId.get(amd!)).toMatchObject({ hasGpu: true, count: 1, manufacturer: 'AMD', model: 'Radeon Pro V520' });
    expect(byId.get(habana!)).toMatchObject({ hasGpu: true, count: 8, manufacturer: 'Habana' });
    expect(byId.get(a100!)).toMatchObject({ hasGpu: true, count: 8, manufacturer: 'NVIDIA', model: 'A100' });
    expect(byId.get(fraction!)).toMatchObject({ count: 0, logicalCount: 1, partitionSize: 0.125 });
    expect(byId.get(trainium!)).toMatchObject({ hasGpu: false, accelerator: 'neuron', count: 1, neuronCores: 2 });
    expect(all.nonGpu).toBe(1);
  });

  it('falls back to the family name for types EC2 does not know, without losing the others', async () => {
    const [known] = await launchInstances(ec2, { instanceType: 'g5.xlarge' });
    const [futureGpu] = await launchInstances(ec2, { instanceType: 'p9.96xlarge' });
    await launchInstances(ec2, { instanceType: 'zz9.huge' });

    const scan = await instances.scanGpuInstances({ scopeTags: {} });

    const byId = new Map(scan.instances.map((i) => [i.instanceId, i]));
    expect([...byId.keys()].sort()).toEqual([known, futureGpu].sort());
    expect(byId.get(known!)?.gpu.source).toBe('instance-types');
    expect(byId.get(futureGpu!)?.gpu).toEqual({
      hasGpu: true,
      count: 0,
      source: 'family-fallback',
      accelerator: 'gpu',
      manufacturer: null,
    });
    expect(scan.unknownTypes).toEqual(['p9.96xlarge', 'zz9.huge']);
    expect(scan.nonGpu).toBe(1);
  });

  it('fetches the tags of instances whose answer has no Tags key, in one batched call', async () => {
    // moto leaves the Tags key out for instances without tags, as EC2 does.
    const untagged = await launchInstances(ec2, { instanceType: 'g5.xlarge', count: 3 });
    const [tagged] = await launchInstances(ec2, { instanceType: 'g5.xlarge', tags: { 'gpu-reaper:opt-out': 'true' } });
    const raw = await ec2.send(new DescribeInstancesCommand({ InstanceIds: untagged }));
    expect(raw.Reservations?.[0]?.Instances?.[0]?.Tags).toBeUndefined();

    const scan = await instances.scanGpuInstances({ scopeTags: {} });

    const byId = new Map(scan.instances.map((i) => [i.instanceId, i]));
    for (const id of untagged) expect(byId.get(id)?.tags).toEqual({});
    expect(byId.get(tagged!)?.tags).toEqual({ 'gpu-reaper:opt-out': 'true' });
    expect(counter.calls('EC2:DescribeTags')).toBe(1);
  });

  it('learns whether a Spot instance is one-time or persistent', async () => {
    const request = async (Type: 'one-time' | 'persistent') => {
      const answer = await ec2.send(
        new RequestSpotInstancesCommand({
          SpotPrice: '2',
          InstanceCount: 1,
          Type,
          LaunchSpecification: { ImageId: await defaultImageId(ec2), InstanceType: 'g5.xlarge' },
        }),
      );
      return answer.SpotInstanceRequests?.[0]?.InstanceId ?? 'none';
    };
    const oneTime = await request('one-time');
    const persistent = await request('persistent');
    // RunInstances with market options: moto records no Spot request for it, so the type stays unknown.
    const market: InstanceMarketOptionsRequest = { MarketType: 'spot' };
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: await defaultImageId(ec2),
        InstanceType: 'g5.xlarge',
        MinCount: 1,
        MaxCount: 1,
        InstanceMarketOptions: market,
      }),
    );
    const unknown = run.Instances?.[0]?.InstanceId ?? 'none';

    const scan = await instances.scanGpuInstances({ scopeTags: {} });

    const spotOf = (id: string) => scan.instances.find((i) => i.instanceId === id)?.spot;
    expect(spotOf(oneTime)).toEqual({ requestType: 'one-time' });
    expect(spotOf(persistent)).toEqual({ requestType: 'persistent' });
    expect(spotOf(unknown)).toEqual({ requestType: 'unknown' });
    expect(counter.calls('EC2:DescribeSpotInstanceRequests')).toBe(1);
  });

  it('re-describes before acting: state, tags and protection', async () => {
    const [plain] = await launchInstances(ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'bo@example.com' } });
    const [guarded] = await launchInstances(ec2, {
      instanceType: 'g5.xlarge',
      stopProtection: true,
      terminationProtection: true,
    });

    expect(await instances.describeForAction(plain!)).toMatchObject({
      instanceId: plain,
      state: 'running',
      tags: { Owner: 'bo@example.com' },
      gpu: { hasGpu: true },
      protection: { stop: false, termination: false },
    });
    expect((await instances.describeForAction(guarded!))?.protection).toEqual({ stop: true, termination: true });
  });

  it('says null for an instance that is gone or terminated', async () => {
    const [doomed] = await launchInstances(ec2, { instanceType: 'g5.xlarge' });
    await instances.terminate(doomed!);

    expect(await instances.describeForAction(doomed!)).toBeNull();
    expect(await instances.describeForAction('i-0123456789abcdef0')).toBeNull();
  });

  it('stops, tags and untags an instance', async () => {
    const [id] = await launchInstances(ec2, { instanceType: 'g5.xlarge', tags: { keep: 'me' } });

    await instances.setTags(id!, { 'gpu-reaper:warned': 'idle@2030-01-01T00:00:00.000Z', other: 'x' });
    await instances.removeTags(id!, ['other']);
    await instances.stop(id!);

    const facts = await instances.describeForAction(id!);
    expect(facts?.state).toBe('stopped');
    expect(facts?.tags).toEqual({ keep: 'me', 'gpu-reaper:warned': 'idle@2030-01-01T00:00:00.000Z' });
  });

  it('turns a refused stop into an AwsError naming the operation', async () => {
    const [id] = await launchInstances(ec2, { instanceType: 'g5.xlarge', stopProtection: true });

    const failure = await instances.stop(id!).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AwsError);
    expect(failure).toMatchObject({ code: ErrorCode.AwsCall, operation: 'StopInstances', region: moto.region });
    expect((failure as AwsError).message).toContain('OperationNotPermitted');
  });

  it('reports an unreachable endpoint as AWS_UNREACHABLE', async () => {
    // The SDK reads AWS_ENDPOINT_URL when the first request resolves its endpoint, not at construction.
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    const clients = createRegionClients(moto.region, { maxAttempts: 2 });
    const failure = await new Ec2Instances(clients.ec2, moto.region)
      .scanGpuInstances({ scopeTags: {} })
      .catch((error: unknown) => error)
      .finally(() => {
        process.env.AWS_ENDPOINT_URL = saved;
      });

    expect(failure).toMatchObject({ code: ErrorCode.AwsUnreachable, operation: 'DescribeInstances' });
  });
});
