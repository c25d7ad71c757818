/**
 * The fault injector: the real SDK client and its retry loop, with a local request handler standing in for AWS, so
 * every injected fault is seen exactly as the SDK would see AWS's own.
 */
import { DescribeInstancesCommand, EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { isThrottle, toAwsError } from '../../../shared/adapters/aws/aws-errors';
import { ErrorCode } from '../../../shared/errors';
import { faultError } from '../../../shared/local/fault-answers';
import { FaultInjector, inputMentions } from '../../../shared/local/fault-injector';

const ANSWER = `<DescribeInstancesResponse><reservationSet><item><instancesSet><item>
<instanceId>i-1</instanceId><instanceType>g5.xlarge</instanceType><launchTime>2026-01-01T00:00:00Z</launchTime>
<instanceState><name>running</name></instanceState></item></instancesSet></item></reservationSet>
</DescribeInstancesResponse>`;

/** An EC2 client whose requests a local handler answers; `sent` counts the requests that reached it. */
function offlineEc2(faults: FaultInjector, maxAttempts = 1) {
  const sent: string[] = [];
  const requestHandler = {
    handle: async (request: { body?: string }) => {
      sent.push(String(request.body ?? ''));
      return { response: { statusCode: 200, headers: {}, body: new TextEncoder().encode(ANSWER) } };
    },
  };
  const client = new EC2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts,
    // biome-ignore lint/suspicious/noExplicitAny: a stand-in for the SDK's HTTP handler, which has a wider type.
    requestHandler: requestHandler as any,
  });
  return { ec2: faults.attach(client), sent };
}

const describeIds = (ids: string[]) => new DescribeInstancesCommand({ InstanceIds: ids });
const settlesWithin = (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise((resolve) => setTimeout(() => resolve(false), ms)),
  ]);

describe('FaultInjector', () => {
  it('throttles a call the way EC2 does, the given number of times, before the request leaves', async () => {
    const faults = new FaultInjector([{ operation: 'DescribeInstances', fault: 'throttle', times: 1 }]);
    const { ec2, sent } = offlineEc2(faults);
    const error = await ec2.send(describeIds(['i-1'])).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } });
    expect(isThrottle(error)).toBe(true);
    expect(sent).toHaveLength(0);
    const answer = await ec2.send(describeIds(['i-1']));
    expect(answer.Reservations?.[0]?.Instances?.[0]?.InstanceId).toBe('i-1');
    expect(faults.injected).toEqual([{ call: 'EC2:DescribeInstances', fault: 'throttle' }]);
  });

  it('sits inside the retry loop: with two attempts, one throttle is absorbed by the SDK', async () => {
    const faults = new FaultInjector([{ operation: 'EC2:DescribeInstances', fault: '5xx', times: 1 }]);
    const { ec2, sent } = offlineEc2(faults, 2);
    const answer = await ec2.send(describeIds(['i-1']));
    expect(answer.$metadata.attempts).toBe(2);
    expect(sent).toHaveLength(1);
  });

  it('raises 5xx as a server fault and a timeout as an unreachable endpoint', async () => {
    const faults = new FaultInjector([
      { operation: 'DescribeInstances', fault: '5xx', times: 1 },
      { operation: 'DescribeInstances', fault: 'timeout', times: 1 },
    ]);
    const { ec2 } = offlineEc2(faults);
    const server = await ec2.send(describeIds(['i-1'])).catch((e: unknown) => e);
    expect(server).toMatchObject({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    const timeout = await ec2.send(describeIds(['i-1'])).catch((e: unknown) => e);
    expect(toAwsError(timeout, 'DescribeInstances').code).toBe(ErrorCode.AwsUnreachable);
  });

  it('only fails the calls `when` picks, and only the operation (and service) named', async () => {
    const faults = new FaultInjector([
      { operation: 'DescribeInstances', fault: 'throttle', when: inputMentions('i-2') },
      { operation: 'CloudWatch:StopInstances', fault: 'throttle' },
    ]);
    const { ec2 } = offlineEc2(faults);
    await expect(ec2.send(describeIds(['i-1']))).resolves.toBeDefined();
    await expect(ec2.send(describeIds(['i-2']))).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    await expect(ec2.send(new StopInstancesCommand({ InstanceIds: ['i-1'] }))).resolves.toBeDefined();
  });

  it('with `after`, lets the request take effect and loses the answer', async () => {
    const faults = new FaultInjector([{ operation: 'StopInstances', fault: 'timeout', after: true }]);
    const { ec2, sent } = offlineEc2(faults);
    await expect(ec2.send(new StopInstancesCommand({ InstanceIds: ['i-1'] }))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(sent).toHaveLength(1);
  });

  it('spoils an answer without failing the call', async () => {
    const faults = new FaultInjector([{ operation: 'DescribeInstances', fault: 'malformed' }]);
    const { ec2 } = offlineEc2(faults);
    const instance = (await ec2.send(describeIds(['i-1']))).Reservations?.[0]?.Instances?.[0];
    expect(instance).toMatchObject({ InstanceId: 'i-1', InstanceType: 'g5.xlarge' });
    expect(instance?.State).toBeUndefined();
    expect(instance?.LaunchTime).toBeUndefined();
  });

  it('dies: the call (after it took effect) and every later one never answer', async () => {
    const faults = new FaultInjector([{ operation: 'StopInstances', fault: 'die', after: true }]);
    const { ec2, sent } = offlineEc2(faults);
    expect(await settlesWithin(ec2.send(new StopInstancesCommand({ InstanceIds: ['i-1'] })), 50)).toBe(false);
    expect(faults.dead).toBe(true);
    expect(await settlesWithin(ec2.send(describeIds(['i-1'])), 50)).toBe(false);
    expect(sent).toHaveLength(1);
  });

  it('clears its rules when the outage is over', async () => {
    const faults = new FaultInjector([{ operation: 'DescribeInstances', fault: 'throttle' }]);
    const { ec2 } = offlineEc2(faults);
    await expect(ec2.send(describeIds(['i-1']))).rejects.toBeDefined();
    faults.clear();
    await expect(ec2.send(describeIds(['i-1']))).resolves.toBeDefined();
  });
});

describe('faultError', () => {
  it.each([
    ['EC2', 'throttle', 'RequestLimitExceeded'],
    ['CloudWatch', 'throttle', 'Throttling'],
    ['SNS', 'throttle', 'Throttling'],
    ['DynamoDB', 'throttle', 'ProvisionedThroughputExceededException'],
    ['EC2', '5xx', 'InternalError'],
    ['CloudWatch', '5xx', 'ServiceUnavailable'],
    ['DynamoDB', '5xx', 'InternalServerError'],
    ['SNS', 'timeout', 'TimeoutError'],
  ] as const)('spells a %s %s as %s', (service, kind, name) => {
    const error = faultError(kind, service, 'Op');
    expect(error.name).toBe(name);
    if (kind === 'throttle') expect(isThrottle(error)).toBe(true);
  });
});
