/**
 * The reaper Lambda started by EC2's state-change event (the launch trigger of cost-gating and budgets), with the
 * event exactly as EventBridge delivers it: the pass covers the event's region only, an event of another state or an
 * uncovered region runs nothing, and a launch that finds the pass lease held throws so Lambda retries it (a tick
 * backs off quietly). Against moto.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientOptions, createRegionClients } from '../../../shared/adapters/aws/clients';
import { TargetLeases } from '../../../shared/adapters/dynamodb/target-leases';
import { EnvName } from '../../../shared/config';
import { ErrorCode } from '../../../shared/errors';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const ACCOUNT = '123456789012';
const OTHER_REGION = 'us-west-2';
const context = (requestId: string) =>
  ({
    awsRequestId: requestId,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:GpuReaper-Reaper`,
    getRemainingTimeInMillis: () => 300_000,
  }) as unknown as Context;
const tick = { 'detail-type': 'Scheduled Event', source: 'aws.events' } as ScheduledEvent;

/** EC2's state-change event, in its real shape. */
const stateChange = (region: string, state = 'running', instanceId = 'i-0abc') => ({
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: ACCOUNT,
  time: '2026-12-07T10:00:00Z',
  region,
  resources: [`arn:aws:ec2:${region}:${ACCOUNT}:instance/${instanceId}`],
  detail: { 'instance-id': instanceId, state },
});

describe('the reaper Lambda on a launch', () => {
  let saved: NodeJS.ProcessEnv;
  let lines: string[];
  beforeEach(async () => {
    await moto.reset();
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
      .map((line) => JSON.parse(line) as Record<string, unknown> & { message: string; level: string });

  /** A table, one busy GPU instance in each of two configured regions, and the handler's environment. */
  async function setUp(regions: readonly string[] = [moto.region, OTHER_REGION]) {
    const fx = await runFixture(moto.region);
    const start = Date.now() - 20 * 60_000;
    const [home] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge' });
    await putGpuSeries(fx.cloudwatch, home!, minutes(start, 20, 90));
    const other = createRegionClients(OTHER_REGION);
    const [away] = await launchInstances(other.ec2, { instanceType: 'g5.xlarge' });
    await putGpuSeries(other.cloudwatch, away!, minutes(start, 20, 90));
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify({ mode: 'dry-run', regions }),
      [EnvName.Table]: fx.table,
      AWS_REGION: moto.region,
    });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(moto.region)));
    const { handler } = await import('../../../functions/reaper');
    const leases = new TargetLeases(client, fx.table, moto.region);
    return { handler, leases, ids: { home: home!, away: away! } };
  }

  it('passes over the launch region only, where a tick passes over every configured region', async () => {
    const { handler, ids } = await setUp();
    const launch = await handler(stateChange(OTHER_REGION, 'running', ids.away), context('launch'));
    expect(launch).toMatchObject({ mode: 'dry-run', summary: { scanned: 1 } });
    const done = logs().filter((log) => log.message === 'pass done');
    expect(done).toEqual([expect.objectContaining({ trigger: 'launch' })]);

    expect(await handler(tick, context('tick'))).toMatchObject({ summary: { scanned: 2 } });
  });

  it('passes over the home region on a launch there when no region is configured', async () => {
    const { handler, ids } = await setUp([]);
    const launch = await handler(stateChange(moto.region, 'running', ids.home), context('launch'));
    expect(launch).toMatchObject({ summary: { scanned: 1 } });
  });

  it('logs and ignores a launch in a region the reaper does not cover, and runs no pass', async () => {
    const { handler } = await setUp([moto.region]);
    expect(await handler(stateChange(OTHER_REGION), context('elsewhere'))).toEqual({
      ignored: true,
      reason: `region ${OTHER_REGION} is not one the reaper covers (${moto.region})`,
      mode: 'dry-run',
    });
    const written = logs();
    expect(written.some((log) => log.message === 'pass done')).toBe(false);
    expect(written).toContainEqual(
      expect.objectContaining({ message: 'state change ignored: no pass', level: 'INFO', region: OTHER_REGION }),
    );
  });

  it('logs and ignores a state change that is not a launch', async () => {
    const { handler } = await setUp();
    for (const state of ['stopped', 'terminated', 'pending']) {
      expect(await handler(stateChange(moto.region, state), context(state))).toMatchObject({ ignored: true });
    }
    const ignored = logs().filter((log) => log.message === 'state change ignored: no pass');
    expect(ignored.map((log) => log.state)).toEqual(['stopped', 'terminated', 'pending']);
    expect(logs().some((log) => log.message === 'pass done')).toBe(false);
  });

  it('throws on a launch while another pass holds the lease, so Lambda delivers it again; a tick backs off', async () => {
    const { handler, leases, ids } = await setUp();
    const target = { accountId: ACCOUNT, region: moto.region };
    expect(await leases.acquire(target, 'running-pass', new Date(), 300_000)).toBe(true);

    const launch = handler(stateChange(OTHER_REGION, 'running', ids.away), context('busy'));
    // Matched by name: the handler was imported after vi.resetModules, with its own copy of the error class.
    await expect(launch).rejects.toMatchObject({
      name: 'PassBusyError',
      code: ErrorCode.PassBusy,
      lease: `TARGET#${ACCOUNT}#${moto.region}`,
      message: `a pass holds the lease TARGET#${ACCOUNT}#${moto.region}: the launch of ${ids.away} (${OTHER_REGION}) is retried by Lambda`,
    });
    expect(await handler(tick, context('tick'))).toMatchObject({ skipped: true });

    // The retry a minute later, once that pass is done, runs.
    expect(await leases.release(target, 'running-pass')).toBe(true);
    expect(await handler(stateChange(OTHER_REGION, 'running', ids.away), context('retry'))).toMatchObject({
      summary: { scanned: 1 },
    });
  });

  it('never runs two passes at once when a launch and a tick arrive together', async () => {
    const { handler, ids } = await setUp();
    const results = await Promise.allSettled([
      handler(tick, context('tick')),
      handler(stateChange(moto.region, 'running', ids.home), context('launch')),
    ]);
    const ran = results.filter((result) => result.status === 'fulfilled' && 'passId' in result.value);
    expect(ran).toHaveLength(1);
    expect(logs().filter((log) => log.message === 'pass done')).toHaveLength(1);
  });
});
