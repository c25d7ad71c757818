/**
 * Owners answering a WARNED message through the real endpoint (loopback server, real SDK, moto's KMS, DynamoDB,
 * EC2 and SNS): a GET never changes anything; keep writes the snooze tag and records CLEARED and SNOOZED by the owner
 * once; stop runs the act path with its re-checks; a changed token is 403, an expired or used one 410.
 */
import { CreateTagsCommand, DescribeTagsCommand, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { KmsMacKey } from '../../../shared/adapters/kms/kms-mac-key';
import { newTokenId, signToken } from '../../../shared/owner-actions/token';
import { renderNotification } from '../../../shared/render/notifications/notification';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { open, ownerFixture, press } from './owner-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

type Fixture = Awaited<ReturnType<typeof ownerFixture>>;

describe('owner actions from a WARNED message', () => {
  let launch: number;
  let fx: Fixture | undefined;
  beforeEach(async () => {
    await moto.reset();
    launch = Math.floor(Date.now() / MIN) * MIN;
  });
  afterEach(async () => {
    await fx?.server.stop();
    fx = undefined;
  });
  const at = (m: number) => new Date(launch + m * MIN + 30_000);

  /** An idle instance, warned by a pass at launch + 40m (never-used), with its links in the inbox. */
  async function warnedInstance(overrides = {}, tags: Record<string, string> = {}) {
    fx = await ownerFixture(moto.region, overrides);
    const [id] = await launchInstances(fx.ec2, {
      instanceType: 'g5.xlarge',
      tags: { Owner: 'carol@example.com', Name: 'notebook', ...tags },
    });
    await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 300, 1));
    const warned = await fx.pass(at(40));
    expect(warned.events.map((e) => e.event)).toEqual(['WARNED']);
    return { fx, id: id! };
  }
  const tagsOf = async (f: Fixture, id: string) => {
    const answer = await f.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }));
    return Object.fromEntries((answer.Tags ?? []).map((t) => [t.Key, t.Value]));
  };
  const eventsOf = async (f: Fixture, id: string) => (await f.audit.byInstance(id)).map((i) => `${i.event}:${i.by}`);

  it('puts keep 4h, keep 24h and stop now in the WARNED email and JSON, naming the instance and the planned stop', async () => {
    const { fx, id } = await warnedInstance();
    const message = (await fx.inbox()).find((m) => m.event.event === 'WARNED')!;
    expect(message.event.links?.map((l) => l.action)).toEqual(['keep:4h', 'keep:24h', 'stop']);
    for (const link of message.event.links ?? []) expect(link.url.startsWith(fx.server.url)).toBe(true);
    // The audit item is the event as recorded: the tokens live only in the message.
    const audited = (await fx.audit.byInstance(id)).find((i) => i.event === 'WARNED') as Record<string, unknown>;
    expect(audited.links).toBeUndefined();
  });

  it('changes nothing on GET, however often a mail scanner opens the links', async () => {
    const { fx, id } = await warnedInstance();
    const tagsBefore = await tagsOf(fx, id);
    const eventsBefore = await eventsOf(fx, id);
    for (const action of ['keep:4h', 'keep:24h', 'stop']) {
      const url = await fx.linkOf(id, action);
      for (let i = 0; i < 2; i++) {
        const page = await open(url);
        expect(page.status).toBe(200);
        const body = await page.text();
        expect(body).toContain(id);
        expect(body).toContain('carol@example.com');
        expect(body).toContain('<form method="post">');
      }
    }
    expect(await tagsOf(fx, id)).toEqual(tagsBefore);
    expect(await eventsOf(fx, id)).toEqual(eventsBefore);
    expect(await fx.stateOf(id)).toBe('running');
    // And the links still work: a GET used nothing up.
    expect((await press(await fx.linkOf(id, 'keep:4h'))).status).toBe(200);
  });

  it('keeps on POST: the snooze tag, CLEARED and SNOOZED by the owner, once, and the next pass leaves it be', async () => {
    const { fx, id } = await warnedInstance();
    fx.clock.now = at(45);
    const response = await press(await fx.linkOf(id, 'keep:4h'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Kept until');
    const until = new Date(at(45).getTime() + 240 * MIN).toISOString();
    const tags = await tagsOf(fx, id);
    expect(tags['gpu-reaper:snooze-until']).toBe(until);
    expect(tags['gpu-reaper:warned']).toBeUndefined();
    expect(await eventsOf(fx, id)).toEqual(['WARNED:reaper', 'CLEARED:owner', 'SNOOZED:owner']);

    const next = await fx.pass(at(75));
    expect(next.decisions[0]).toMatchObject({ outcome: 'skip', rule: 'snoozed' });
    expect(next.events).toEqual([]);
    const told = (await fx.inbox()).filter((m) => m.event.by === 'owner').map((m) => m.event.event);
    expect(told.sort()).toEqual(['CLEARED', 'SNOOZED']);
    expect((await fx.inbox()).find((m) => m.event.event === 'SNOOZED')?.subject).toMatch(/SNOOZED .*snoozed until/);
    // No telemetry was read for the owner's answer, and the messages say so (the GPUs sent 60 of 60 minutes).
    for (const message of (await fx.inbox()).filter((m) => m.event.by === 'owner')) {
      expect(message.event.evidence.telemetryRead).toBe(false);
      const { text } = renderNotification(message.event);
      expect(text).toContain('telemetry: not read for this event');
      expect(text).not.toMatch(/Datapoints: 0|coverage 0%|telemetry: missing|too sparse to tell/);
    }
  });

  it('answers a replayed POST with 410 and does nothing twice', async () => {
    const { fx, id } = await warnedInstance();
    const url = await fx.linkOf(id, 'keep:4h');
    expect((await press(url)).status).toBe(200);
    const tags = await tagsOf(fx, id);
    const replay = await press(url);
    expect(replay.status).toBe(410);
    expect(await replay.text()).toContain('This link was used already');
    expect(await tagsOf(fx, id)).toEqual(tags);
    expect((await eventsOf(fx, id)).filter((e) => e.startsWith('SNOOZED'))).toHaveLength(1);
    expect(fx.logged.some((l) => l.message === 'owner link refused: used')).toBe(true);
  });

  it('answers a changed token with 403 and an expired one with 410, changing nothing', async () => {
    const { fx, id } = await warnedInstance();
    const url = new URL(await fx.linkOf(id, 'keep:4h'));
    const [payload, mac] = url.searchParams.get('t')!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = new URL(url);
    forged.searchParams.set(
      't',
      `${Buffer.from(JSON.stringify({ ...claims, action: 'stop' })).toString('base64url')}.${mac}`,
    );
    const tagsBefore = await tagsOf(fx, id);
    for (const answer of [await open(forged.toString()), await press(forged.toString())]) {
      expect(answer.status).toBe(403);
      expect(await answer.text()).toContain('This link is not valid');
    }
    // A genuine token (signed by the real key) whose expiry has passed.
    const key = new KmsMacKey(new KMSClient(clientOptions(moto.region)), fx.keyId);
    const expiresAt = new Date(at(40).getTime() - MIN);
    const warning = {
      rule: 'never-used',
      actAt: new Date(claims.act * 1000),
      warnedAt: new Date(claims.warned * 1000),
      launchTime: new Date(claims.launch * 1000),
    };
    const expired = await signToken(
      {
        account: claims.acct,
        region: moto.region,
        instanceId: id,
        action: 'stop',
        expiresAt,
        id: newTokenId(),
        warning,
      },
      key,
    );
    const old = new URL(url);
    old.searchParams.set('t', expired);
    for (const answer of [await open(old.toString()), await press(old.toString())]) {
      expect(answer.status).toBe(410);
      expect(await answer.text()).toContain('This link has expired');
    }
    expect(await tagsOf(fx, id)).toEqual(tagsBefore);
    expect(await eventsOf(fx, id)).toEqual(['WARNED:reaper']);
    expect(await fx.stateOf(id)).toBe('running');
    expect(fx.logged.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'owner link refused: forged',
      'owner link refused: forged',
      'owner link refused: expired',
      'owner link refused: expired',
    ]);
  });

  it('stops on POST in enforce mode, by the owner, before the planned time', async () => {
    const { fx, id } = await warnedInstance();
    fx.clock.now = at(45);
    const response = await press(await fx.linkOf(id, 'stop'));
    expect(response.status).toBe(200);
    expect(await fx.stateOf(id)).toMatch(/stopp/);
    expect(await eventsOf(fx, id)).toEqual(['WARNED:reaper', 'STOPPED:owner']);
    expect((await fx.inbox()).filter((m) => m.event.event === 'STOPPED')).toHaveLength(1);
    // The reaper's own pass at the planned time finds nothing left to do.
    const later = await fx.pass(at(75));
    expect(later.events.filter((e) => e.event === 'STOPPED')).toEqual([]);
  });

  it('records WOULD_STOP in dry-run and stops nothing', async () => {
    const { fx, id } = await warnedInstance({ mode: 'dry-run' });
    const response = await press(await fx.linkOf(id, 'stop'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('dry-run');
    expect(await fx.stateOf(id)).toBe('running');
    expect(await eventsOf(fx, id)).toEqual(['WARNED:reaper', 'WOULD_STOP:owner']);
  });

  it('does not stop an instance opted out since the warning: the warning is cleared instead', async () => {
    const { fx, id } = await warnedInstance();
    fx.clock.now = at(45);
    await fx.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'gpu-reaper:opt-out', Value: 'true' }] }));
    const response = await press(await fx.linkOf(id, 'stop'));
    expect(response.status).toBe(409);
    expect(await fx.stateOf(id)).toBe('running');
    expect(await eventsOf(fx, id)).toEqual(['WARNED:reaper', 'CLEARED:owner']);
  });

  it('does not stop an instance whose stop protection went on since the warning', async () => {
    const { fx, id } = await warnedInstance();
    fx.clock.now = at(45);
    await fx.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiStop: { Value: true } }));
    const response = await press(await fx.linkOf(id, 'stop'));
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('protection');
    expect(await fx.stateOf(id)).toBe('running');
    expect(await eventsOf(fx, id)).toEqual(['WARNED:reaper', 'SKIPPED:owner']);
  });
});
