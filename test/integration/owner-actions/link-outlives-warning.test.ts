/**
 * A link belongs to the warning it came with, through the real passes and the real endpoint (loopback server, real
 * SDK, moto's KMS, DynamoDB, EC2 and SNS). A g5.xlarge tagged max-runtime=3h idles until minute 66, then works: its
 * never-used warning (L+40m) is cleared when it gets busy (L+70m), and a max-runtime warning follows (L+125m, the
 * stop at the deadline). The old never-used links then change nothing, by browser or chat button, and are not used
 * up; the max-runtime warning's own link still works; the deadline holds. A warning delivered late names a later
 * time, and its links still work.
 */
import { StopInstancesCommand } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import type { LambdaFunctionURLResult } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { KmsMacKey } from '../../../shared/adapters/kms/kms-mac-key';
import { EnvName } from '../../../shared/config';
import { linkWarningOf } from '../../../shared/owner-actions/link-binding';
import { decodePayload, newTokenId, signToken } from '../../../shared/owner-actions/token';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { open, ownerFixture, press } from './owner-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

type Fixture = Awaited<ReturnType<typeof ownerFixture>>;

describe('a link and the warning it came with', () => {
  let launch: number;
  let fx: Fixture | undefined;
  let saved: NodeJS.ProcessEnv = {};
  beforeEach(async () => {
    saved = { ...process.env };
    await moto.reset();
    launch = Math.floor(Date.now() / MIN) * MIN;
  });
  afterEach(async () => {
    await fx?.server.stop();
    fx = undefined;
    process.env = { ...saved };
  });
  const at = (m: number) => new Date(launch + m * MIN + 30_000);
  const eventsOf = async (f: Fixture, id: string) =>
    (await f.audit.byInstance(id)).map((i) => `${i.event}:${i.rule}:${i.by}`);
  const tokenOf = (url: string) => new URL(url).searchParams.get('t')!;
  const tokenIdOf = (url: string) => decodePayload(tokenOf(url).split('.')[0]!)!.id;

  /** The timeline up to L+125m: never-used warned, cleared when busy, then warned for max-runtime. */
  async function overtime() {
    fx = await ownerFixture(moto.region);
    const f = fx;
    const [id] = await launchInstances(f.ec2, {
      instanceType: 'g5.xlarge',
      tags: { Owner: 'carol@example.com', 'gpu-reaper:max-runtime': '3h' },
    });
    await putGpuSeries(f.cloudwatch, id!, [...minutes(launch, 66, 0), ...minutes(launch + 66 * MIN, 200, 95)]);
    expect((await f.pass(at(40))).events.map((e) => `${e.event}:${e.rule}`)).toEqual(['WARNED:never-used']);
    const oldStop = await f.linkOf(id!, 'stop');
    const oldKeep = await f.linkOf(id!, 'keep:4h');
    expect((await f.pass(at(70))).events.map((e) => `${e.event}:${e.rule}`)).toEqual(['CLEARED:never-used']);
    const warned = await f.pass(at(125));
    expect(warned.events.map((e) => `${e.event}:${e.rule}`)).toEqual(['WARNED:max-runtime']);
    const deadline = warned.decisions[0]!.actAt!;
    expect(Date.parse(deadline)).toBeGreaterThanOrEqual(launch + 180 * MIN);
    return { f, id: id!, oldStop, oldKeep, deadline };
  }

  it('never lets the old never-used stop link stop the busy instance before its max-runtime deadline', async () => {
    const { f, id, oldStop } = await overtime();
    f.clock.now = at(130);
    for (const answer of [await open(oldStop), await press(oldStop)]) {
      expect(answer.status).toBe(410);
      const page = await answer.text();
      expect(page).toContain('This warning is no longer pending');
      expect(page).toContain('Nothing was changed.');
      expect(page).not.toContain('Stopped.');
    }
    expect(await f.stateOf(id)).toBe('running');
    expect(await eventsOf(f, id)).toEqual([
      'WARNED:never-used:reaper',
      'CLEARED:never-used:reaper',
      'WARNED:max-runtime:reaper',
    ]);
    // The refusal did not use the link up: nothing was changed, so nothing was spent.
    expect(await f.deps.ledger.isUsed(id, tokenIdOf(oldStop))).toBe(false);
    expect(f.logged.filter((l) => l.message === 'owner link refused: stale')).toHaveLength(2);

    // The max-runtime warning's own link is the one that still works.
    const current = await f.linkOf(id, 'stop');
    expect(current).not.toBe(oldStop);
    const stopped = await press(current);
    expect(stopped.status).toBe(200);
    expect(await stopped.text()).toContain('Stopped.');
    expect(await eventsOf(f, id)).toContain('STOPPED:max-runtime:owner');
  });

  it('never lets the old keep link, by browser or chat button, withdraw the max-runtime stop', async () => {
    const { f, id, oldKeep, deadline } = await overtime();
    f.clock.now = at(170);
    const page = await open(oldKeep);
    expect(page.status).toBe(410);
    expect(await page.text()).not.toMatch(/withdraws the planned|Keep 4h|<form/);
    const pressed = await press(oldKeep);
    expect(pressed.status).toBe(410);
    const body = await pressed.text();
    expect(body).toContain('This warning is no longer pending');
    expect(body).not.toContain('is withdrawn');

    // The chat's "Keep 4h" button invokes the owner-action Lambda with the same token: the same answer.
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify(f.config),
      [EnvName.Table]: f.table,
      [EnvName.TopicArn]: f.topicArn,
      [EnvName.LinkKeyId]: f.keyId,
      AWS_REGION: moto.region,
    });
    const { handler } = await import('../../../functions/owner-action');
    const context = { awsRequestId: 'r-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:o' };
    const chat = (await handler({ keepToken: tokenOf(oldKeep) }, context as never)) as Exclude<
      Awaited<ReturnType<typeof handler>>,
      LambdaFunctionURLResult
    >;
    expect(chat.status).toBe(410);
    expect(chat.message).toContain('This warning is no longer pending');
    expect(chat.message).toContain('Nothing was changed.');

    expect(await eventsOf(f, id)).toEqual([
      'WARNED:never-used:reaper',
      'CLEARED:never-used:reaper',
      'WARNED:max-runtime:reaper',
    ]);
    expect(await f.deps.ledger.isUsed(id, tokenIdOf(oldKeep))).toBe(false);

    // Even a genuine keep link bound to the max-runtime warning itself (the reaper never offers one) keeps nothing.
    const maxRuntime = (await f.inbox()).filter((m) => m.event.event === 'WARNED').at(-1)!.event;
    const key = new KmsMacKey(new KMSClient(clientOptions(moto.region)), f.keyId);
    const claims = {
      account: maxRuntime.accountId ?? '',
      region: moto.region,
      instanceId: id,
      action: 'keep:4h' as const,
      expiresAt: new Date(Date.parse(deadline) + 86_400_000),
      id: newTokenId(),
      warning: linkWarningOf(maxRuntime)!,
    };
    const bound = `${f.server.url}?t=${await signToken(claims, key)}`;
    const notKept = await open(bound);
    expect(notKept.status).toBe(409);
    const notKeptPage = await notKept.text();
    expect(notKeptPage).toContain('A snooze does not hold back a <strong>max-runtime</strong> warning');
    expect(notKeptPage).not.toContain('<form');
    const refused = await press(bound);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('A snooze does not hold back a max-runtime warning');
    expect(await f.deps.ledger.isUsed(id, claims.id)).toBe(false);
    expect(await eventsOf(f, id)).toHaveLength(3);
    // The deadline did not slip: the stop lands at it.
    const due = await f.pass(new Date(Date.parse(deadline) + 30_000));
    expect(due.events.map((e) => `${e.event}:${e.rule}:${e.by}`)).toEqual(['STOPPED:max-runtime:reaper']);
  });

  it('leaves a link unused when its POST finds nothing to do (the instance stopped outside the reaper)', async () => {
    fx = await ownerFixture(moto.region);
    const f = fx;
    const [id] = await launchInstances(f.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'carol@example.com' } });
    await putGpuSeries(f.cloudwatch, id!, minutes(launch, 120, 1));
    await f.pass(at(40));
    const keep = await f.linkOf(id!, 'keep:4h');
    await f.ec2.send(new StopInstancesCommand({ InstanceIds: [id!] }));
    const answer = await press(keep);
    expect(answer.status).toBe(409);
    const page = await answer.text();
    expect(page).toMatch(/It is stopp(ed|ing): there is nothing to keep\./);
    expect(page).toContain('this link was not used up');
    expect(await f.deps.ledger.isUsed(id!, tokenIdOf(keep))).toBe(false);
    expect(await eventsOf(f, id!)).toEqual(['WARNED:never-used:reaper']);
  });

  it('acts once when the same link is pressed twice at the same moment', async () => {
    fx = await ownerFixture(moto.region);
    const f = fx;
    const [id] = await launchInstances(f.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'carol@example.com' } });
    await putGpuSeries(f.cloudwatch, id!, minutes(launch, 120, 1));
    await f.pass(at(40));
    const keep = await f.linkOf(id!, 'keep:4h');
    const answers = await Promise.all([press(keep), press(keep)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410]);
    expect((await eventsOf(f, id!)).filter((e) => e.startsWith('SNOOZED'))).toHaveLength(1);
    expect(await f.deps.ledger.isUsed(id!, tokenIdOf(keep))).toBe(true);
  });

  it('keeps the links of a warning delivered late working, though they name a later time than was stored', async () => {
    fx = await ownerFixture(moto.region);
    const f = fx;
    const [id] = await launchInstances(f.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'carol@example.com' } });
    await putGpuSeries(f.cloudwatch, id!, minutes(launch, 120, 1));
    const missingTopic = f.topicArn.replace(/:[^:]+$/, ':no-such-topic');
    const issued = await f.pass(at(40), { topicArn: missingTopic });
    expect(issued.decisions[0]).toMatchObject({ outcome: 'warn', actAt: at(70).toISOString() });
    await f.pass(at(55));
    const message = (await f.inbox()).find((m) => m.event.event === 'WARNED')!;
    // The grace runs from delivery: the message (and every link in it) names 55m + 30m, not the 70m stored.
    expect(message.event.actAt).toBe(at(85).toISOString());
    const keep = message.event.links!.find((l) => l.action === 'keep:4h')!.url;
    expect(decodePayload(tokenOf(keep).split('.')[0]!)!.warning.actAt.toISOString()).toBe(at(85).toISOString());
    f.clock.now = at(60);
    const page = await open(keep);
    expect(page.status).toBe(200);
    const confirm = await page.text();
    expect(confirm).toContain('<form method="post">');
    // The page names the time the message named.
    const told = at(85).toISOString().slice(0, 16).replace('T', ' ');
    expect(confirm).toContain(`stop at ${told} UTC (rule never-used)`);
    const pressed = await press(keep);
    expect(pressed.status).toBe(200);
    expect(await pressed.text()).toMatch(
      new RegExp(`The planned stop at (\\w+ \\d+ )?${told.slice(11)} UTC is withdrawn\\.`),
    );
    const events = (await eventsOf(f, id!)).filter((e) => !e.startsWith('ERROR'));
    expect(events).toEqual(['WARNED:never-used:reaper', 'CLEARED:never-used:owner', 'SNOOZED:snoozed:owner']);
  });
});
