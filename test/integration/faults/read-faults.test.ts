/**
 * Faults on the read half of a pass, against moto through the fault layer: the scan (DescribeInstances), GPU
 * detection (DescribeInstanceTypes) and telemetry (ListMetrics, GetMetricData). A read that failed is never taken
 * for idleness, the pass finishes for what it can judge, each failure is an ERROR audit item and counted, and the
 * next pass after the fault clears goes on as if nothing happened.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { CommandOutput } from '../../helpers/faults';
import { useMoto } from '../../helpers/moto';
import { faultFixture } from './fault-fixture';

const moto = useMoto({ threaded: false });

/** A DescribeInstances answer whose instance `id` lost its launch time: the others stay whole. */
function withoutLaunchTime(id: string) {
  return (output: CommandOutput): CommandOutput => {
    const reservations = (output.Reservations ?? []) as { Instances?: Record<string, unknown>[] }[];
    for (const reservation of reservations) {
      reservation.Instances = (reservation.Instances ?? []).map((instance) =>
        instance.InstanceId === id ? { ...instance, LaunchTime: undefined } : instance,
      );
    }
    return output;
  };
}

describe('faults on the read half', () => {
  beforeEach(() => moto.reset());

  it('records a region it could not scan (DescribeInstances throttled) as one ERROR and judges it next pass', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    const fault = { operation: 'DescribeInstances', fault: 'throttle' } as const;
    const failed = await fx.pass(70, { faults: [fault] });
    expect(failed.decisions).toEqual([]);
    expect(failed.regionFailures).toEqual([expect.objectContaining({ region: moto.region })]);
    expect(failed.errors).toBe(1);
    await fx.pass(71, { faults: [fault] });
    expect(await fx.eventsOf(`region/${moto.region}`)).toEqual(['ERROR']);

    const next = await fx.pass(72);
    expect(next.decisions[0]).toMatchObject({ instanceId: id, outcome: 'warn' });
  });

  it('leaves out an instance the scan answered without a launch time and judges the others', async () => {
    const fx = await faultFixture(moto.region);
    const [broken, whole] = await fx.idleInstances(2);
    const mangle = withoutLaunchTime(broken!);
    const failed = await fx.pass(70, { faults: [{ operation: 'DescribeInstances', fault: 'malformed', mangle }] });
    expect(failed.decisions.map((d) => [d.instanceId, d.outcome])).toEqual([[whole, 'warn']]);
    await fx.pass(75);
    expect(await fx.eventsOf(broken!)).toEqual(['WARNED']);
  });

  it.each([
    ['throttled', 'throttle'],
    ['failing', '5xx'],
    ['timing out', 'timeout'],
  ] as const)('falls back by family name when DescribeInstanceTypes is %s, and says so', async (_label, fault) => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    const result = await fx.pass(70, { faults: [{ operation: 'DescribeInstanceTypes', fault }] });
    expect(result.decisions[0]).toMatchObject({ instanceId: id, outcome: 'warn', rule: 'idle' });
    expect(result.decisions[0]!.reason).toMatch(/GPU assumed from the instance family/);
    expect(result.errors).toBe(1);
    expect(await fx.eventsOf(`region/${moto.region}`)).toEqual(['ERROR']);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED']);
  });

  it.each([
    ['ListMetrics fails', { operation: 'ListMetrics', fault: 'throttle' }],
    ['GetMetricData fails', { operation: 'GetMetricData', fault: 'throttle' }],
    ['GetMetricData times out', { operation: 'GetMetricData', fault: 'timeout' }],
    ['GetMetricData answers without ids or values', { operation: 'GetMetricData', fault: 'malformed' }],
  ] as const)('never takes unread telemetry for idleness when %s', async (_label, rule) => {
    const fx = await faultFixture(moto.region);
    const ids = await fx.idleInstances(2);
    const failed = await fx.pass(70, { faults: [rule] });
    expect(failed.decisions.map((d) => d.outcome)).toEqual(['error', 'error']);
    expect(failed.errors).toBe(2);
    expect(failed.counter.calls('DynamoDB:TransactWriteItems')).toBe(2);
    for (const id of ids) expect(await fx.eventsOf(id)).toEqual(['ERROR']);

    const next = await fx.pass(72);
    expect(next.decisions.map((d) => d.outcome)).toEqual(['warn', 'warn']);
  });

  it('never acts on a warned instance whose telemetry could not be read at the action pass', async () => {
    const fx = await faultFixture(moto.region);
    const [id] = await fx.idleInstances();
    await fx.pass(70);
    const failed = await fx.pass(101, { faults: [{ operation: 'GetMetricData', fault: '5xx' }] });
    expect(failed.decisions[0]).toMatchObject({ outcome: 'error', executed: false });
    expect(failed.counter.calls('EC2:StopInstances')).toBe(0);
    expect(await fx.stateOf(id!)).toBe('running');
    await fx.pass(106);
    expect(await fx.eventsOf(id!)).toEqual(['WARNED', 'ERROR', 'STOPPED']);
  });

  it('absorbs a throttle with the SDK retry when a second attempt is allowed', async () => {
    const fx = await faultFixture(moto.region);
    await fx.idleInstances();
    const result = await fx.pass(70, {
      maxAttempts: 2,
      faults: [{ operation: 'GetMetricData', fault: 'throttle', times: 1 }],
    });
    expect(result.decisions[0]).toMatchObject({ outcome: 'warn' });
    expect(result.errors).toBe(0);
    expect(result.faults.injected).toHaveLength(1);
  });
});
