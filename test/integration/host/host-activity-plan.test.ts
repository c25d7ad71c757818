/**
 * Host activity through the real SDK and the real CLI: EC2's host metrics seeded into moto's `AWS/EC2` with
 * PutMetricData (as EC2 publishes them, basic and detailed monitoring), GPU telemetry from the agent, decided by
 * `gpu-reaper plan --json`.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { putHostSeries } from '../../helpers/host-series';
import { useMoto } from '../../helpers/moto';

const moto = useMoto();
const MIN = 60_000;

interface Decision {
  instanceId: string;
  outcome: string;
  rule: string | null;
  action: string | null;
  reason: string;
  evidence: { host?: Record<string, unknown>; idleMinutes?: number | null; [key: string]: unknown };
}

describe('plan with host activity', () => {
  const ids: Record<string, string> = {};
  let launch: number;
  const decisions = new Map<string, Map<string, Decision>>();
  const at = (m: number) => new Date(launch + m * MIN + 30_000);
  const decisionOf = (when: string, name: string) => decisions.get(when)!.get(ids[name]!)!;

  async function plan(when: string, now: Date) {
    const run = await runCli(['plan', '--json', '--now', now.toISOString(), '--region', moto.region]);
    expect(run.stderr).toBe('');
    const document = JSON.parse(run.stdout) as { decisions: Decision[] };
    decisions.set(when, new Map(document.decisions.map((decision) => [decision.instanceId, decision])));
  }

  beforeAll(async () => {
    const ec2 = new EC2Client(clientOptions(moto.region));
    const cw = new CloudWatchClient(clientOptions(moto.region));
    for (const name of ['download', 'diedAtSetup', 'epochs', 'notebook', 'noHost', 'cpuJob', 'detailed']) {
      const [id] = await launchInstances(ec2, { instanceType: 'g5.xlarge', tags: { Owner: `${name}@example.com` } });
      ids[name] = id!;
    }
    // The minute after the last launch: runs since launch are then whole minutes at every `at(m)`.
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: Object.values(ids) }));
    const launches = (described.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .map((i) => i.LaunchTime!.getTime());
    launch = Math.ceil((Math.max(...launches) + 1) / MIN) * MIN;
    // EC2 aligns its periods to the clock: the first 5-minute period after the launch minute.
    const period = Math.ceil(launch / (5 * MIN)) * 5 * MIN;
    // Downloads for 45 minutes (GPU 0%, CPU 60%, 300 MiB/min), then trains.
    await putGpuSeries(cw, ids.download!, [...minutes(launch, 45, 0), ...minutes(launch + 45 * MIN, 75, 88)]);
    await putHostSeries(cw, ids.download!, [
      { start: period, count: 9, cpu: 60, mibPerMinute: 300 },
      { start: period + 45 * MIN, count: 15, cpu: 35, mibPerMinute: 2 },
    ]);
    // Died at setup: GPU 0%, the host quiet.
    await putGpuSeries(cw, ids.diedAtSetup!, minutes(launch, 180, 0));
    await putHostSeries(cw, ids.diedAtSetup!, [{ start: period, count: 36, cpu: 1.5, mibPerMinute: 0.02 }]);
    // Trains, then re-caches features on the CPUs for an hour between epochs (GPU idle, CPU 95%).
    await putGpuSeries(cw, ids.epochs!, [...minutes(launch, 60, 92), ...minutes(launch + 60 * MIN, 70, 0)]);
    await putHostSeries(cw, ids.epochs!, [
      { start: period, count: 12, cpu: 40, mibPerMinute: 1 },
      { start: period + 60 * MIN, count: 14, cpu: 95, mibPerMinute: 0.5 },
    ]);
    // A notebook used for its first 10 minutes, idle since, its host quiet.
    await putGpuSeries(cw, ids.notebook!, [...minutes(launch, 10, 40), ...minutes(launch + 10 * MIN, 170, 1)]);
    await putHostSeries(cw, ids.notebook!, [{ start: period, count: 36, cpu: 2, mibPerMinute: 0.01 }]);
    // Never used and no host metric at all: judged by the GPUs alone.
    await putGpuSeries(cw, ids.noHost!, minutes(launch, 180, 0));
    // A CPU job on a GPU instance: GPU 0% for 2h+, the host at 80% all along.
    await putGpuSeries(cw, ids.cpuJob!, minutes(launch, 180, 0));
    await putHostSeries(cw, ids.cpuJob!, [{ start: period, count: 36, cpu: 80, mibPerMinute: 1 }]);
    // Detailed monitoring (one host datapoint a minute), still setting up at 35 minutes.
    await putGpuSeries(cw, ids.detailed!, minutes(launch, 180, 0));
    await putHostSeries(cw, ids.detailed!, [{ start: period, count: 180, cpu: 45, mibPerMinute: 40, step: 1 }]);

    await plan('35m', at(35));
    await plan('70m', at(70));
    await plan('2h15m', at(135));
  }, 180_000);

  it('keeps a job still downloading at 35 minutes, with the host numbers, then sees it train', () => {
    const early = decisionOf('35m', 'download');
    expect(early).toMatchObject({ outcome: 'keep', rule: null });
    expect(early.reason).toMatch(
      /^GPU never used in 3[56]m since launch \(max 0%\), but the host is busy: CPU max 60%/,
    );
    expect(early.reason).toMatch(/network up to 300 MiB\/min; busy in (\d) of \1 5-minute periods/);
    expect(early.reason).toContain('still setting up');
    expect(early.evidence.host).toMatchObject({ state: 'busy', cpuMax: 60, period: 300 });
    expect(early.evidence.host!.busyPeriods).toBe(early.evidence.host!.periods);
    expect(early.evidence.host!.networkMiBPerMinuteMax).toBeCloseTo(300, 5);
    const later = decisionOf('70m', 'download');
    expect(later.outcome).toBe('keep');
    expect(later.reason).toContain('GPU busy');
  });

  it('warns the one that died at setup: its host is quiet', () => {
    const decision = decisionOf('35m', 'diedAtSetup');
    expect(decision).toMatchObject({ outcome: 'warn', rule: 'never-used', action: 'stop' });
    expect(decision.reason).toMatch(
      /host quiet \(CPU max 1\.5%, network up to 0\.02 MiB\/min; busy in 0 of \d 5-minute periods\)/,
    );
    expect(decision.evidence.host).toMatchObject({ state: 'quiet', busyPeriods: 0, period: 300 });
  });

  it('keeps a run preprocessing on the CPUs between epochs', () => {
    const decision = decisionOf('2h15m', 'epochs');
    expect(decision.outcome).toBe('keep');
    expect(decision.reason).toMatch(/^GPU idle for the last 1h \(max 0%\), but the host is busy: CPU max 95%/);
    expect(decision.reason).toContain('the host is working');
    expect(decision.evidence.host).toMatchObject({ state: 'busy', busyPeriods: 11, periods: 11 });
  });

  it('warns an idle notebook on a quiet host exactly as before', () => {
    const decision = decisionOf('2h15m', 'notebook');
    expect(decision).toMatchObject({ outcome: 'warn', rule: 'idle', action: 'stop' });
    expect(decision.reason).toContain('host quiet');
  });

  it('judges by the GPUs alone when no host metric exists, and says host activity is unknown', () => {
    const decision = decisionOf('35m', 'noHost');
    expect(decision).toMatchObject({ outcome: 'warn', rule: 'never-used' });
    expect(decision.reason).toContain('host activity unknown (no host datapoint)');
    expect(decision.evidence.host).toMatchObject({ state: 'unknown', periods: 0 });
  });

  it('asks about a CPU job after 2h of idle GPUs on a busy host, and never acts for it', () => {
    expect(decisionOf('70m', 'cpuJob').outcome).toBe('keep');
    const decision = decisionOf('2h15m', 'cpuJob');
    expect(decision).toMatchObject({ outcome: 'notify', rule: 'gpu-idle-host-busy', action: 'notify' });
    expect(decision.reason).toMatch(
      /^GPUs unused for 2h1[56]m while the host works \(CPU max 80%.*\): a CPU job on a GPU instance\?/,
    );
    // Launches are some seconds apart: each run is counted from its own launch.
    expect(decision.evidence.idleMinutes).toBeGreaterThanOrEqual(135);
    expect(decision.evidence.idleMinutes).toBeLessThanOrEqual(136);
  });

  it('reads detailed monitoring as 1-minute periods', () => {
    const decision = decisionOf('35m', 'detailed');
    expect(decision.outcome).toBe('keep');
    // The minutes after the agent's start-up: 25 one-minute periods, every one busy.
    expect(decision.evidence.host).toMatchObject({ period: 60, periods: 25, busyPeriods: 25, cpuMax: 45 });
  });
});
