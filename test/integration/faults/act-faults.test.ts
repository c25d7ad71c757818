/**
 * Faults on the act path, against moto through the fault layer: the stop/terminate calls, the re-describe right
 * before acting, the tag writes, SNS Publish and the DynamoDB commits. Each case: the pass finishes, nothing is
 * acted on from incomplete data, the failure is one ERROR audit item, and one more pass after the fault clears
 * completes everything with exactly the expected events.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { inputMentions } from '../../helpers/faults';
import { useMoto } from '../../helpers/moto';
import { faultFixture, inboxEvents } from './fault-fixture';

const moto = useMoto({ threaded: false });
/** The re-describe names the instance; the scan filters by state. */
const redescribe = (input: Record<string, unknown>) => Array.isArray(input.InstanceIds);

describe('faults on the act path', () => {
  beforeEach(() => moto.reset());

  it('never stops when StopInstances is throttled, records one ERROR, and stops on the next pass', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    await fx.pass(70);
    const failed = await fx.pass(101, { faults: [{ operation: 'StopInstances', fault: 'throttle' }] });
    expect(failed.decisions[0]).toMatchObject({ outcome: 'error' });
    expect(failed.errors).toBeGreaterThan(0);
    expect(await fx.stateOf(id!)).toBe('running');
    // A second failing pass does not repeat the ERROR (once per failure key).
    await fx.pass(103, { faults: [{ operation: 'StopInstances', fault: 'throttle' }] });

    const next = await fx.pass(106);
    expect(next.decisions[0]).toMatchObject({ outcome: 'act', executed: true });
    expect(next.recovered.actions).toBe(1);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'ERROR', 'STOPPED']);
    expect(inboxEvents(await fx.inbox(), id!)).toEqual(['WARNED', 'ERROR', 'STOPPED']);
  });

  it('records a stop whose answer was lost (timeout after it took effect) without stopping twice', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    await fx.pass(70);
    await fx.pass(101, { faults: [{ operation: 'StopInstances', fault: 'timeout', after: true }] });
    expect(['stopping', 'stopped']).toContain(await fx.stateOf(id!));

    const next = await fx.pass(106);
    expect(next.counter.calls('EC2:StopInstances')).toBe(0);
    expect(next.events.map((e) => e.event)).toEqual(['STOPPED']);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'ERROR', 'STOPPED']);
    expect(inboxEvents(await fx.inbox(), id!)).toEqual(['WARNED', 'ERROR', 'STOPPED']);
  });

  it('terminates on the next pass when TerminateInstances answers 5xx', async () => {
    const fx = await faultFixture(moto.region, { actions: { idle: 'terminate' } });
    const [id] = await fx.idleInstances();
    await fx.pass(70);
    await fx.pass(101, { faults: [{ operation: 'TerminateInstances', fault: '5xx' }] });
    expect(await fx.stateOf(id!)).toBe('running');
    await fx.pass(106);
    expect(['shutting-down', 'terminated']).toContain(await fx.stateOf(id!));
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'ERROR', 'TERMINATED']);
  });

  it.each([
    ['DescribeInstances fails', { operation: 'DescribeInstances', fault: 'throttle', when: redescribe }],
    ['DescribeInstances is malformed', { operation: 'DescribeInstances', fault: 'malformed', when: redescribe }],
    ['DescribeInstanceAttribute fails', { operation: 'DescribeInstanceAttribute', fault: '5xx' }],
    ['DescribeInstanceAttribute is malformed', { operation: 'DescribeInstanceAttribute', fault: 'malformed' }],
  ] as const)('never acts when the re-describe %s, and acts on the next pass', async (_label, rule) => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    await fx.pass(70);
    const failed = await fx.pass(101, { faults: [rule] });
    expect(failed.decisions[0]).toMatchObject({ outcome: 'error', executed: false });
    expect(failed.counter.calls('EC2:StopInstances')).toBe(0);
    expect(await fx.stateOf(id!)).toBe('running');
    await fx.pass(106);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'ERROR', 'STOPPED']);
  });

  it('keeps the warning when CreateTags fails (the table is the truth) and records one ERROR', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    const warned = await fx.pass(70, { faults: [{ operation: 'CreateTags', fault: 'throttle' }] });
    expect(warned.decisions[0]).toMatchObject({ outcome: 'warn' });
    await fx.pass(101);
    // WARNED and its ERROR share the pass's instant (the audit orders them by name then); STOPPED comes after.
    expect(await fx.eventsOf(id!)).toEqual(['ERROR', 'WARNED', 'STOPPED']);
    expect(inboxEvents(await fx.inbox(), id!)).toEqual(['WARNED', 'ERROR', 'STOPPED']);
  });

  it('keeps a notification SNS refused in the outbox and sends it on the next pass, once', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    const down = await fx.pass(70, { faults: [{ operation: 'Publish', fault: '5xx' }] });
    expect(down.events.map((e) => e.event)).toEqual(['WARNED', 'ERROR']);
    expect(await fx.inbox()).toHaveLength(0);

    const next = await fx.pass(75);
    expect(next.recovered.notifications).toBe(2);
    expect(next.events).toHaveLength(0);
    expect(inboxEvents(await fx.inbox(), id!).sort()).toEqual(['ERROR', 'WARNED']);
    // The outbox is empty now: a further pass sends nothing again.
    expect((await fx.pass(80)).recovered.notifications).toBe(0);

    // Delivered at 75, so the grace ends at 105, not 100: the warning's first publish failed.
    await fx.pass(101);
    expect(await fx.stateOf(id!)).toBe('running');
    await fx.pass(106, { faults: [{ operation: 'Publish', fault: 'throttle', when: inputMentions('STOPPED') }] });
    expect(await fx.stateOf(id!)).not.toBe('running');
    const last = await fx.pass(111);
    expect(last.counter.calls('EC2:StopInstances')).toBe(0);
    expect(await fx.eventsOf(id!)).toEqual(['ERROR', 'WARNED', 'ERROR', 'STOPPED']);
    expect(inboxEvents(await fx.inbox(), id!).sort()).toEqual(['ERROR', 'ERROR', 'STOPPED', 'WARNED']);
  });

  it('records nothing half when a DynamoDB commit is throttled, and warns on the next pass', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    const rule = {
      operation: 'TransactWriteItems',
      fault: 'throttle',
      times: 1,
      when: inputMentions('WARNED'),
    } as const;
    const failed = await fx.pass(70, { faults: [rule] });
    expect(failed.decisions[0]).toMatchObject({ outcome: 'error' });
    expect(await fx.eventsOf(id!)).toEqual(['ERROR']);
    await fx.pass(75);
    await fx.pass(106);
    expect(await fx.eventsOf(id!)).toEqual(['ERROR', 'WARNED', 'STOPPED']);
  });

  it('never acts when the acting claim cannot be written, and acts on the next pass', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    await fx.pass(70);
    const failed = await fx.pass(101, { faults: [{ operation: 'UpdateItem', fault: '5xx', times: 1 }] });
    expect(failed.counter.calls('EC2:StopInstances')).toBe(0);
    await fx.pass(106);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'ERROR', 'STOPPED']);
  });

  it('finishes the pass when DynamoDB is down for every write, counts the failures, and loses nothing after', async () => {
    const fx = await faultFixture(moto.region);
    const [a, b] = await fx.idleInstances(2);
    const down = ['TransactWriteItems', 'PutItem', 'UpdateItem'].map(
      (operation) => ({ operation, fault: '5xx' }) as const,
    );
    const failed = await fx.pass(70, { faults: down });
    expect(failed.decisions.map((d) => d.outcome)).toEqual(['error', 'error']);
    expect(failed.errors).toBeGreaterThanOrEqual(2);
    expect(failed.problems.some((p) => p.includes('TransactWriteItems'))).toBe(true);
    expect(await fx.eventsOf(a!)).toEqual([]);
    await fx.pass(75);
    await fx.pass(106);
    for (const id of [a!, b!]) expect(await fx.eventsOf(id)).toEqual(['WARNED', 'STOPPED']);
  });
});
