/**
 * Reads that can change a decision, and no others, against moto: a busy instance is read once per
 * min(idle.window, noTelemetry.after) after its last busy minute; an idle candidate every pass; a pending warning is
 * always re-read; a restart voids the schedule.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

describe('the read schedule', () => {
  let launch: number;
  beforeEach(async () => {
    await moto.reset();
    launch = Math.floor(Date.now() / MIN) * MIN;
  });
  const at = (m: number) => new Date(launch + m * MIN + 30_000);

  it('skips a busy instance until a telemetry rule could hold, and decides exactly as a read would', async () => {
    const fx = await runFixture(moto.region, { mode: 'dry-run' });
    const [busy] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'ana@example.com' } });
    const [idle] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'bo@example.com' } });
    // Busy until minute 80, idle after; the other idle from minute 5.
    await putGpuSeries(fx.cloudwatch, busy!, [...minutes(launch, 80, 60), ...minutes(launch + 80 * MIN, 120, 1)]);
    await putGpuSeries(fx.cloudwatch, idle!, [...minutes(launch, 5, 60), ...minutes(launch + 5 * MIN, 195, 1)]);

    const statusAt = async (m: number) => {
      const pass = await fx.pass(at(m));
      const byId = new Map(pass.decisions.map((d) => [d.instanceId, d]));
      return { busy: byId.get(busy!)!, idle: byId.get(idle!)! };
    };
    const first = await statusAt(40);
    expect(first.busy.evidence.telemetry).toBe('ok');
    // Last busy minute 39 (the minute in progress is never read): not before 39 + 1 + 30 = minute 70.
    const skipped = await statusAt(50);
    expect(skipped.busy).toMatchObject({ outcome: 'keep' });
    expect(skipped.busy.evidence.telemetry).toBe('unread');
    expect(skipped.busy.reason).toContain('not read again before');
    expect(skipped.idle.evidence.telemetry).toBe('ok');
    const due = await statusAt(71);
    expect(due.busy.evidence.telemetry).toBe('ok');
    // Busy until 80: after minute 71's read, the next read is due at 70 + 1 + 30 = 101.
    expect((await statusAt(90)).busy.evidence.telemetry).toBe('unread');
    const idleNow = await statusAt(142);
    expect(idleNow.busy).toMatchObject({ outcome: 'warn', rule: 'idle' });
    // A pending warning is always re-read.
    expect((await statusAt(150)).busy.evidence.telemetry).toBe('ok');
  });

  it('reads again at once after a config change', async () => {
    const fx = await runFixture(moto.region, { mode: 'dry-run' });
    const [busy] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'ana@example.com' } });
    await putGpuSeries(fx.cloudwatch, busy!, minutes(launch, 200, 60));
    await fx.pass(at(40));
    expect((await fx.pass(at(45))).decisions[0]?.evidence.telemetry).toBe('unread');
    // The same table under another config: the schedule written under the old one is void.
    const changed = await fx.pass(at(46), { config: { ...fx.config, idle: { ...fx.config.idle, threshold: 7 } } });
    expect(changed.decisions.find((d) => d.instanceId === busy)?.evidence.telemetry).toBe('ok');
  });
});
