/**
 * Overlap and retry against moto: several passes at once on the same fleet and clock make each transition once
 * (actions, notifications, audit items); a pass killed midway (its process frozen for good after a call) leaves a
 * state the next pass completes, once its lease has run out, and not before.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CallCounter } from '../../../shared/adapters/aws/clients';
import { FaultInjector, inputMentions } from '../../helpers/faults';
import { useMoto } from '../../helpers/moto';
import { diesMidway, faultFixture, inboxEvents, MIN } from './fault-fixture';

const moto = useMoto({ threaded: false });
const PASSES = 4;
const AFTER_LEASE = 16 * MIN;

describe('overlapping passes', () => {
  beforeEach(() => moto.reset());

  it(`makes each transition once when ${PASSES} passes run at once, warning and acting`, async () => {
    const fx = await faultFixture(moto.region);
    const ids = await fx.idleInstances(3);
    const counter = new CallCounter();
    const all = (m: number) => Promise.all(Array.from({ length: PASSES }, () => fx.pass(m, { counter })));

    const warns = await all(70);
    expect(warns.flatMap((p) => p.events).map((e) => e.event)).toEqual(['WARNED', 'WARNED', 'WARNED']);
    const acts = await all(101);
    expect(acts.flatMap((p) => p.decisions).filter((d) => d.executed)).toHaveLength(ids.length);
    expect(counter.snapshot()['EC2:StopInstances']).toMatchObject({ calls: ids.length, errors: 0 });

    const inbox = await fx.inbox();
    for (const id of ids) {
      expect(await fx.eventsOf(id)).toEqual(['WARNED', 'STOPPED']);
      expect(inboxEvents(inbox, id)).toEqual(['WARNED', 'STOPPED']);
    }
    expect(inbox).toHaveLength(ids.length * 2);
  });

  it(`drains the outbox once when ${PASSES} passes start at once after an SNS outage`, async () => {
    const fx = await faultFixture(moto.region);
    const ids = await fx.idleInstances(3);
    await fx.pass(70, { faults: [{ operation: 'Publish', fault: '5xx' }] });
    expect(await fx.inbox()).toHaveLength(0);

    const passes = await Promise.all(Array.from({ length: PASSES }, () => fx.pass(75)));
    // Each instance's WARNED and the ERROR of its failed publish, each sent by exactly one pass.
    expect(passes.reduce((sum, p) => sum + p.recovered.notifications, 0)).toBe(ids.length * 2);
    const inbox = await fx.inbox();
    expect(inbox).toHaveLength(ids.length * 2);
    for (const id of ids) expect(inboxEvents(inbox, id).sort()).toEqual(['ERROR', 'WARNED']);
  });
});

describe('a pass killed midway', () => {
  beforeEach(() => moto.reset());

  /** Warns, then starts an action pass that dies at `rule`; returns once it is frozen. */
  async function killedAt(rule: ConstructorParameters<typeof FaultInjector>[0]) {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    await fx.pass(70);
    const faults = new FaultInjector(rule);
    expect(await diesMidway(fx.pass(101, { faults }), faults)).toBe(true);
    return { fx, id: id! };
  }

  it('after its stop call: the next pass records STOPPED once, without a second stop', async () => {
    const { fx, id } = await killedAt([{ operation: 'StopInstances', fault: 'die', after: true }]);
    expect(['stopping', 'stopped']).toContain(await fx.stateOf(id));
    expect(await fx.eventsOf(id)).toEqual(['WARNED']);

    // Within the lease the dying pass may still be alive: nobody takes over.
    const early = await fx.pass(103);
    expect(early.recovered.actions).toBe(0);
    expect(await fx.eventsOf(id)).toEqual(['WARNED']);

    const next = await fx.pass(106, { leaseClockAheadMs: AFTER_LEASE });
    expect(next.recovered.actions).toBe(1);
    expect(next.counter.calls('EC2:StopInstances')).toBe(0);
    expect(next.events.map((e) => [e.event, e.at])).toEqual([
      ['STOPPED', new Date(fx.launch + 101.5 * MIN).toISOString()],
    ]);
    await fx.pass(110, { leaseClockAheadMs: 2 * AFTER_LEASE });
    expect(await fx.eventsOf(id)).toEqual(['WARNED', 'STOPPED']);
    expect(inboxEvents(await fx.inbox(), id)).toEqual(['WARNED', 'STOPPED']);
  });

  it('before its stop call: the next pass finds the instance running and stops it, once', async () => {
    const { fx, id } = await killedAt([{ operation: 'StopInstances', fault: 'die' }]);
    expect(await fx.stateOf(id)).toBe('running');
    const next = await fx.pass(106, { leaseClockAheadMs: AFTER_LEASE });
    expect(next.recovered.actions).toBe(1);
    expect(next.decisions[0]).toMatchObject({ outcome: 'act', executed: true });
    expect(await fx.eventsOf(id)).toEqual(['WARNED', 'STOPPED']);
    expect(inboxEvents(await fx.inbox(), id)).toEqual(['WARNED', 'STOPPED']);
  });

  it('after committing STOPPED but before publishing it: the next pass publishes it, once', async () => {
    const rule = {
      operation: 'TransactWriteItems',
      fault: 'die',
      after: true,
      when: inputMentions('STOPPED'),
    } as const;
    const { fx, id } = await killedAt([rule]);
    expect(await fx.eventsOf(id)).toEqual(['WARNED', 'STOPPED']);
    expect(inboxEvents(await fx.inbox(), id)).toEqual(['WARNED']);

    const next = await fx.pass(106, { leaseClockAheadMs: AFTER_LEASE });
    expect(next.recovered).toEqual({ actions: 0, notifications: 1 });
    expect(next.counter.calls('EC2:StopInstances')).toBe(0);
    await fx.pass(110, { leaseClockAheadMs: 2 * AFTER_LEASE });
    expect(await fx.eventsOf(id)).toEqual(['WARNED', 'STOPPED']);
    expect(inboxEvents(await fx.inbox(), id)).toEqual(['WARNED', 'STOPPED']);
  });

  it('while warning: the warning committed by the dead pass is announced by the next, once', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    const faults = new FaultInjector([{ operation: 'TransactWriteItems', fault: 'die', after: true }]);
    expect(await diesMidway(fx.pass(70, { faults }), faults)).toBe(true);
    await fx.pass(75, { leaseClockAheadMs: AFTER_LEASE });
    // Delivered at 75, so the grace runs to 105: never an action on a warning the owner could not have read.
    await fx.pass(101, { leaseClockAheadMs: AFTER_LEASE });
    expect(await fx.eventsOf(id!)).toEqual(['WARNED']);
    await fx.pass(106, { leaseClockAheadMs: AFTER_LEASE });
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'STOPPED']);
    expect(inboxEvents(await fx.inbox(), id!)).toEqual(['WARNED', 'STOPPED']);
  });
});
