/**
 * The reaper Lambda with no reserved concurrency: two invocations at once (an EventBridge retry, a tick during a slow
 * pass) never run two passes of the same account and region. The first takes the lease in the state table (the
 * fan-out's target lease, `TARGET#<account>#<region>`); the second finds it held, logs and returns. Against moto.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { leaseKey, TargetLeases } from '../../../shared/adapters/dynamodb/target-leases';
import { EnvName } from '../../../shared/config';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const ACCOUNT = '123456789012';
const event = { 'detail-type': 'Scheduled Event', source: 'aws.events' } as ScheduledEvent;
const context = (requestId: string) =>
  ({
    awsRequestId: requestId,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:GpuReaper-Reaper`,
    getRemainingTimeInMillis: () => 300_000,
  }) as unknown as Context;
const BACKS_OFF = 'another pass of this account and region is still running: this invocation backs off';

describe('the reaper Lambda, two invocations at once', () => {
  let saved: NodeJS.ProcessEnv;
  let lines: string[];
  beforeEach(async () => {
    await moto.reset();
    // Taken here, not at collection: moto's endpoint and keys are in the environment by now.
    saved = { ...process.env };
    vi.resetModules();
    lines = [];
    // Powertools writes INFO to stdout and WARN and above to stderr.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        lines.push(String(chunk));
        return true;
      });
    }
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });
  const logs = () =>
    lines
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { message: string; level: string; lease?: string });

  /** A table, one busy GPU instance, and the handler's environment. */
  async function setUp() {
    const fx = await runFixture(moto.region);
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge' });
    await putGpuSeries(fx.cloudwatch, id!, minutes(Date.now() - 20 * 60_000, 20, 90));
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify({ mode: 'dry-run' }),
      [EnvName.Table]: fx.table,
      AWS_REGION: moto.region,
    });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(moto.region)));
    const target = { accountId: ACCOUNT, region: moto.region };
    const leaseItem = async () =>
      (await client.send(new GetCommand({ TableName: fx.table, Key: leaseKey(target) }))).Item;
    const { handler } = await import('../../../functions/reaper');
    return { handler, leases: new TargetLeases(client, fx.table, moto.region), target, leaseItem };
  }

  it('runs one pass; the other logs that a pass is still running and returns without scanning', async () => {
    const { handler, leaseItem } = await setUp();
    const results = await Promise.all([handler(event, context('first')), handler(event, context('second'))]);

    const ran = results.filter((result) => 'passId' in result);
    const skipped = results.filter((result) => 'skipped' in result);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({ mode: 'dry-run', summary: { scanned: 1 } });
    expect(skipped).toEqual([{ skipped: true, lease: `TARGET#${ACCOUNT}#${moto.region}`, mode: 'dry-run' }]);
    const written = logs();
    expect(written.filter((log) => log.message === 'pass done')).toHaveLength(1);
    expect(written.filter((log) => log.message === BACKS_OFF)).toEqual([
      expect.objectContaining({ level: 'WARN', lease: `TARGET#${ACCOUNT}#${moto.region}` }),
    ]);
    // The pass gave its lease back: the next tick runs.
    expect(await leaseItem()).toBeUndefined();
    expect(await handler(event, context('third'))).toMatchObject({ summary: { scanned: 1 } });
  });

  it('backs off while a pass holds the lease, and runs once that lease has expired (a pass killed mid-way)', async () => {
    const { handler, leases, target } = await setUp();
    const now = new Date();
    expect(await leases.acquire(target, 'running-pass', now, 300_000)).toBe(true);
    expect(await handler(event, context('during'))).toMatchObject({ skipped: true });
    expect(await leases.release(target, 'running-pass')).toBe(true);

    // A run killed by its timeout never released its lease; it expires when that run can no longer be alive.
    expect(await leases.acquire(target, 'killed-pass', new Date(now.getTime() - 600_000), 300_000)).toBe(true);
    expect(await handler(event, context('after'))).toMatchObject({ mode: 'dry-run', summary: { scanned: 1 } });
  });
});
