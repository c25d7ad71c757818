/**
 * The act path against moto with the real SDK: warn, wait the grace, re-check on fresh data, act; dry-run,
 * protection and cleared warnings; notifications read back through SQS; audit items queried back.
 */
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

describe('warn, then act', () => {
  let launch: number;
  beforeEach(async () => {
    await moto.reset();
    launch = Math.floor(Date.now() / MIN) * MIN;
  });
  const at = (m: number) => new Date(launch + m * MIN + 30_000);

  async function idleInstance(
    fx: Awaited<ReturnType<typeof runFixture>>,
    tags: Record<string, string> = {},
    extra = {},
  ) {
    const [id] = await launchInstances(fx.ec2, {
      instanceType: 'g5.xlarge',
      tags: { Owner: 'ana@example.com', ...tags },
      ...extra,
    });
    // Used for its first 5 minutes, idle since: idle, not never-used.
    await putGpuSeries(fx.cloudwatch, id!, [...minutes(launch, 5, 50), ...minutes(launch + 5 * MIN, 195, 1)]);
    return id!;
  }

  it('warns first, then stops only after the grace, and records and notifies each transition once', async () => {
    const fx = await runFixture(moto.region);
    const id = await idleInstance(fx);

    const first = await fx.pass(at(70));
    expect(first.decisions[0]).toMatchObject({ outcome: 'warn', rule: 'idle', executed: false });
    expect(await fx.stateOf(id)).toBe('running');

    const early = await fx.pass(at(90));
    expect(early.decisions[0]).toMatchObject({ outcome: 'warn' });
    expect(early.events).toHaveLength(0);
    expect(await fx.stateOf(id)).toBe('running');

    const due = await fx.pass(at(101));
    expect(due.decisions[0]).toMatchObject({ outcome: 'act', rule: 'idle', action: 'stop', executed: true });
    expect(['stopping', 'stopped']).toContain(await fx.stateOf(id));

    const events = (await fx.audit.byInstance(id)).map((item) => item.event);
    expect(events).toEqual(['WARNED', 'STOPPED']);
    const [warned, stopped] = await fx.audit.byInstance(id);
    expect(Date.parse(stopped!.at) - Date.parse(warned!.at)).toBeGreaterThanOrEqual(30 * MIN);

    const inbox = await fx.inbox();
    expect(inbox.map((m) => m.attributes.event)).toEqual(['WARNED', 'STOPPED']);
    expect(inbox[0]!.attributes).toMatchObject({
      instanceId: id,
      owner: 'ana@example.com',
      rule: 'idle',
      mode: 'enforce',
    });
    expect(inbox[0]!.subject).toMatch(/^\[gpu-reaper\] WARNED/);
    expect(inbox[0]!.event).toMatchObject({ instanceId: id, event: 'WARNED', rule: 'idle' });
  });

  it('acts at once, exactly once, when warnings are off (warning.grace 0m)', async () => {
    const fx = await runFixture(moto.region, { warning: { grace: '0m' } });
    const id = await idleInstance(fx);
    const passes = await Promise.all([fx.pass(at(70)), fx.pass(at(70))]);
    const executed = passes.flatMap((p) => p.decisions).filter((d) => d.executed);
    expect(executed).toHaveLength(1);
    expect(executed[0]).toMatchObject({ instanceId: id, outcome: 'act', rule: 'idle', action: 'stop' });
    expect(['stopping', 'stopped']).toContain(await fx.stateOf(id));
    expect((await fx.audit.byInstance(id)).map((item) => item.event)).toEqual(['STOPPED']);
  });

  it('terminates when the configured action is terminate', async () => {
    const fx = await runFixture(moto.region, { actions: { idle: 'terminate' } });
    const id = await idleInstance(fx);
    await fx.pass(at(70));
    const due = await fx.pass(at(101));
    expect(due.decisions[0]).toMatchObject({ outcome: 'act', action: 'terminate', executed: true });
    expect(['shutting-down', 'terminated']).toContain(await fx.stateOf(id));
    expect((await fx.audit.byInstance(id)).map((item) => item.event)).toEqual(['WARNED', 'TERMINATED']);
  });

  it('changes nothing in EC2 in dry-run, and says so', async () => {
    const fx = await runFixture(moto.region, { mode: 'dry-run' });
    const id = await idleInstance(fx);
    await fx.pass(at(70));
    const due = await fx.pass(at(101));
    expect(due.decisions[0]).toMatchObject({ outcome: 'act', executed: false });
    expect(await fx.stateOf(id)).toBe('running');
    expect((await fx.audit.byInstance(id)).map((item) => item.event)).toEqual(['WARNED', 'WOULD_STOP']);
    const inbox = await fx.inbox();
    expect(inbox.every((m) => m.subject.startsWith('[gpu-reaper][DRY RUN]'))).toBe(true);
    // A later pass does not repeat the would-stop.
    const later = await fx.pass(at(110));
    expect(later.events).toHaveLength(0);
  });

  it('never touches a stop-protected instance, and tells the owner once', async () => {
    const fx = await runFixture(moto.region);
    const id = await idleInstance(fx, {}, { stopProtection: true });
    await fx.pass(at(70));
    const due = await fx.pass(at(101));
    expect(due.decisions[0]).toMatchObject({ outcome: 'skip', rule: 'protected' });
    expect(await fx.stateOf(id)).toBe('running');
    await fx.pass(at(110));
    expect((await fx.audit.byInstance(id)).map((item) => item.event)).toEqual(['WARNED', 'SKIPPED']);
  });

  it('clears the warning when the owner opts out during the grace, and never acts', async () => {
    const fx = await runFixture(moto.region);
    const id = await idleInstance(fx);
    await fx.pass(at(70));
    await fx.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'gpu-reaper:opt-out', Value: 'yes' }] }));
    const due = await fx.pass(at(101));
    expect(due.decisions[0]).toMatchObject({ outcome: 'skip', rule: 'opt-out' });
    expect(await fx.stateOf(id)).toBe('running');
    // SKIPPED: the audit-only record that it is now out of reach (opted out); no message goes out for it.
    expect((await fx.audit.byInstance(id)).map((item) => item.event)).toEqual(['WARNED', 'CLEARED', 'SKIPPED']);
    expect((await fx.inbox()).map((m) => m.attributes.event)).toEqual(['WARNED', 'CLEARED']);
  });

  it('clears the warning when the GPU gets busy again', async () => {
    const fx = await runFixture(moto.region);
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge' });
    await putGpuSeries(fx.cloudwatch, id!, [...minutes(launch, 80, 1), ...minutes(launch + 80 * MIN, 40, 60)]);
    await fx.pass(at(70));
    const later = await fx.pass(at(101));
    expect(later.decisions[0]).toMatchObject({ outcome: 'keep' });
    expect(await fx.stateOf(id!)).toBe('running');
    expect((await fx.audit.byInstance(id!)).map((item) => item.event)).toEqual(['WARNED', 'CLEARED']);
  });

  it('lets the audit trail be queried by time across instances', async () => {
    const fx = await runFixture(moto.region);
    const a = await idleInstance(fx);
    const b = await idleInstance(fx);
    await fx.pass(at(70));
    const items = await fx.audit.between(at(60), at(80));
    expect(items.map((item) => item.instanceId).sort()).toEqual([a, b].sort());
    expect(items.every((item) => item.event === 'WARNED' && item.configHash && item.passId)).toBe(true);
  });
});

describe('overlapping passes', () => {
  beforeEach(() => moto.reset());

  it('two concurrent passes at the same clock produce one action and one notification per instance', async () => {
    const launch = Math.floor(Date.now() / MIN) * MIN;
    const fx = await runFixture(moto.region);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: `o${i}@example.com` } });
      await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 200, 0.5));
      ids.push(id!);
    }
    const warnAt = new Date(launch + 70 * MIN);
    const actAt = new Date(launch + 101 * MIN);
    await Promise.all([fx.pass(warnAt), fx.pass(warnAt)]);
    const passes = await Promise.all([fx.pass(actAt), fx.pass(actAt), fx.pass(actAt)]);

    const executed = passes.flatMap((p) => p.decisions).filter((d) => d.executed);
    expect(executed.map((d) => d.instanceId).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect((await fx.audit.byInstance(id)).map((item) => item.event)).toEqual(['WARNED', 'STOPPED']);
    }
    const inbox = await fx.inbox();
    expect(inbox).toHaveLength(ids.length * 2);
  });
});
