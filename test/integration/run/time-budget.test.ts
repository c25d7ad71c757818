/**
 * A pass that runs short of time stops starting new instances, defers the rest, and leaves nothing half-acted;
 * the next pass finishes the work.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

/**
 * A budget with time for `starts` instances: every check after that says the pass is out of time. The pass asks
 * once first, for the telemetry read's deadline, then once before each instance it starts.
 */
function budgetFor(starts: number) {
  let checks = 0;
  return { remainingMs: () => (checks++ < starts + 1 ? 60_000 : 1_000), reserveMs: 30_000 };
}

describe('the time budget', () => {
  beforeEach(() => moto.reset());

  it('defers what it cannot start, never half-acts, and the next pass finishes', async () => {
    const fx = await runFixture(moto.region);
    const launch = Math.floor(Date.now() / MIN) * MIN;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge' });
      await putGpuSeries(fx.cloudwatch, id!, [...minutes(launch, 5, 60), ...minutes(launch + 5 * MIN, 150, 1)]);
      ids.push(id!);
    }
    await fx.pass(new Date(launch + 70 * MIN));

    const short = await fx.pass(new Date(launch + 101 * MIN), { budget: budgetFor(2) });
    expect(short.deferred).toHaveLength(3);
    const acted = short.decisions.filter((d) => d.executed).map((d) => d.instanceId);
    expect(acted).toHaveLength(2);
    for (const id of short.deferred) {
      expect(short.decisions.find((d) => d.instanceId === id)?.reason).toContain('deferred');
    }
    // Nothing half-done: an instance is either stopped with its STOPPED event, or running with only its warning.
    for (const id of ids) {
      const events = (await fx.audit.byInstance(id)).map((item) => item.event);
      if (acted.includes(id)) {
        expect(events).toEqual(['WARNED', 'STOPPED']);
        expect(['stopping', 'stopped']).toContain(await fx.stateOf(id));
      } else {
        expect(events).toEqual(['WARNED']);
        expect(await fx.stateOf(id)).toBe('running');
      }
    }

    const next = await fx.pass(new Date(launch + 106 * MIN));
    expect(next.deferred).toEqual([]);
    for (const id of ids) {
      expect((await fx.audit.byInstance(id)).map((item) => item.event)).toEqual(['WARNED', 'STOPPED']);
    }
  });
});
