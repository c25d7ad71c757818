/**
 * The call counter: one count per command sent, by `Service:Operation`, attempts and failures alongside, with
 * no request leaving the process (a short-circuit middleware answers instead of AWS).
 */
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { CallCounter } from '../../../../shared/adapters/aws/call-counter';
import { clientOptions, createRegionClients } from '../../../../shared/adapters/aws/clients';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** Answers every command locally: `fail` names the operations that fail (after 3 attempts). */
function offline<C extends EC2Client | CloudWatchClient>(client: C, fail: readonly string[] = []): C {
  // The two clients' stacks have different generic types; this middleware ignores them.
  const stack = client.middlewareStack as unknown as {
    add(middleware: unknown, options: { step: 'serialize'; name: string }): void;
  };
  stack.add(
    (_next: unknown, context: { commandName?: string }) => async () => {
      if (fail.includes(context.commandName ?? '')) {
        throw Object.assign(new Error('nope'), { name: 'InternalError', $metadata: { attempts: 3 } });
      }
      return { output: { $metadata: { attempts: 1 } }, response: {} };
    },
    { step: 'serialize', name: 'offline' },
  );
  return client;
}

describe('CallCounter', () => {
  it('counts calls by Service:Operation across clients', async () => {
    const counter = new CallCounter();
    const ec2 = offline(counter.attach(new EC2Client({ region: 'us-east-1', credentials })));
    const cloudwatch = offline(counter.attach(new CloudWatchClient({ region: 'us-east-1', credentials })));

    await ec2.send(new DescribeInstancesCommand({}));
    await ec2.send(new DescribeInstancesCommand({}));
    await cloudwatch.send(new ListMetricsCommand({}));

    expect(counter.snapshot()).toEqual({
      'CloudWatch:ListMetrics': { calls: 1, attempts: 1, errors: 0 },
      'EC2:DescribeInstances': { calls: 2, attempts: 2, errors: 0 },
    });
    expect(counter.calls('EC2:DescribeInstances')).toBe(2);
    expect(counter.calls('EC2:StopInstances')).toBe(0);
    expect(counter.total).toBe(3);
  });

  it('counts failed calls, their attempts and their errors', async () => {
    const counter = new CallCounter();
    const ec2 = offline(counter.attach(new EC2Client({ region: 'us-east-1', credentials })), ['StopInstancesCommand']);

    await expect(ec2.send(new StopInstancesCommand({ InstanceIds: ['i-1'] }))).rejects.toThrow('nope');

    expect(counter.snapshot()['EC2:StopInstances']).toEqual({ calls: 1, attempts: 3, errors: 1 });
  });

  it('does not double-count a client attached twice, and forgets on reset', async () => {
    const counter = new CallCounter();
    const ec2 = new EC2Client({ region: 'us-east-1', credentials });
    counter.attach(ec2);
    offline(counter.attach(ec2));

    await ec2.send(new DescribeInstancesCommand({}));
    expect(counter.total).toBe(1);

    counter.reset();
    expect(counter.snapshot()).toEqual({});
  });

  it('prints a table with a total row', async () => {
    const counter = new CallCounter();
    const ec2 = offline(counter.attach(new EC2Client({ region: 'us-east-1', credentials })));
    await ec2.send(new DescribeInstancesCommand({}));

    expect(counter.table().split('\n')).toEqual([
      'API call               calls  attempts  errors',
      'EC2:DescribeInstances      1         1       0',
      'total                      1         1       0',
    ]);
  });

  it('is attached by createRegionClients when given', async () => {
    const counter = new CallCounter();
    const { ec2 } = createRegionClients('us-east-1', { counter });
    // Identity is resolved before the short-circuit; give the default chain something to find.
    ec2.config.credentials = async () => credentials;
    offline(ec2);
    await ec2.send(new DescribeInstancesCommand({}));
    expect(counter.calls('EC2:DescribeInstances')).toBe(1);
  });
});

describe('clientOptions', () => {
  it('uses adaptive retry, a few attempts and timeouts that throw, and no endpoint of its own', () => {
    expect(clientOptions('eu-west-1')).toEqual({
      region: 'eu-west-1',
      retryMode: 'adaptive',
      maxAttempts: 5,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000, throwOnRequestTimeout: true },
    });
    expect(clientOptions('eu-west-1', { maxAttempts: 2, requestTimeoutMs: 1_000 })).toMatchObject({
      maxAttempts: 2,
      requestHandler: { requestTimeout: 1_000 },
    });
  });

  it('configures both region clients the same way', async () => {
    const { ec2, cloudwatch } = createRegionClients('ap-south-1', { maxAttempts: 3 });
    for (const client of [ec2, cloudwatch]) {
      expect(await client.config.region()).toBe('ap-south-1');
      expect(await client.config.maxAttempts()).toBe(3);
      expect(client.config.retryMode).toBe('adaptive');
      expect(((await client.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
    }
  });
});
