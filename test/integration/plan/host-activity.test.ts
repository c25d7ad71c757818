/**
 * Host activity as a user meets it: `gpu-reaper plan --json --now …` (the real bin) against moto, GPU telemetry
 * from the agent (rollup, per-GPU, or both) and EC2's host metrics seeded into `AWS/EC2` with PutMetricData, basic
 * monitoring (a datapoint every 5 minutes, network bytes the 5-minute total) and detailed (every minute).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { periodsIn, putHostTimeline } from '../../helpers/host-timeline';
import { useMoto } from '../../helpers/moto';

const moto = useMoto();
const MIN = 60_000;

interface HostOut {
  state: string;
  from: string;
  to: string;
  periods: number;
  reportedPeriods: number;
  busyPeriods: number;
  cpuMax: number | null;
  networkMiBPerMinuteMax: number | null;
  period: number | null;
}

interface Decision {
  instanceId: string;
  outcome: string;
  rule: string | null;
  action: string | null;
  reason: string;
  evidence: { host?: HostOut; idleMinutes?: number | null; idleUsd?: number | null; [key: string]: unknown };
}

/** Minutes past the clock's 5-minute grid that some hosts publish at. */
const OFF_GRID = [1, 2, 3, 4] as const;
const floorMinute = (ms: number) => Math.floor(ms / MIN) * MIN;

describe('plan with host activity', () => {
  const ids: Record<string, string> = {};
  const launchOf: Record<string, number> = {};
  let launched: number;
  const plans = new Map<number, Map<string, Decision>>();
  const gpuOnly = new Map<number, Map<string, Decision>>();
  /** The pass clock `m` minutes after the last launch. */
  const at = (m: number) => new Date(launched + m * MIN);
  /** The end of every window at `at(m)`: the start of its minute. */
  const end = (m: number) => floorMinute(at(m).getTime());
  /** Where never-used's window starts: the first whole minute after the agent's 10 minutes. */
  const afterAgent = (name: string) => Math.ceil((launchOf[name]! + 10 * MIN) / MIN) * MIN;
  const decisionOf = (m: number, name: string) => plans.get(m)!.get(ids[name]!)!;

  async function plan(m: number, into: Map<number, Map<string, Decision>>, extra: string[] = []) {
    const run = await runCli(['plan', '--json', '--now', at(m).toISOString(), '--region', moto.region, ...extra]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as { decisions: Decision[] };
    into.set(m, new Map(document.decisions.map((decision) => [decision.instanceId, decision])));
  }

  beforeAll(async () => {
    const ec2 = new EC2Client(clientOptions(moto.region));
    const cw = new CloudWatchClient(clientOptions(moto.region));
    const fleet: [string, string, Record<string, string>?][] = [
      ['download', 'g5.xlarge'],
      ['epochs', 'g5.12xlarge'],
      ['notebook', 'g5.xlarge'],
      ['diedAtSetup', 'g5.12xlarge'],
      ['noHost', 'g5.xlarge'],
      ['partialHost', 'g5.xlarge'],
      ['cpuJob', 'g5.xlarge'],
      ['idleThenCpu', 'g5.xlarge'],
      ['busyGpu', 'g5.xlarge'],
      ['optedOut', 'g5.xlarge', { 'gpu-reaper:opt-out': 'true' }],
      ...OFF_GRID.map((minutes): [string, string] => [`offGrid${minutes}`, 'g5.xlarge']),
    ];
    for (const [name, instanceType, tags] of fleet) {
      const [id] = await launchInstances(ec2, { instanceType, tags: { Owner: `${name}@example.com`, ...tags } });
      ids[name] = id!;
    }
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: Object.values(ids) }));
    for (const instance of (described.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      const name = Object.keys(ids).find((key) => ids[key] === instance.InstanceId)!;
      launchOf[name] = instance.LaunchTime!.getTime();
    }
    launched = Math.max(...Object.values(launchOf));
    // Every run since launch reads whole minutes at `at(m)`: the fleet launched within seconds.
    expect(launched - Math.min(...Object.values(launchOf))).toBeLessThan(30_000);
    const gpu = (name: string) => floorMinute(launchOf[name]!);
    const span = 180;

    // Downloads its dataset for 45 minutes (GPU 0%, network 290 MiB/min in), then trains (GPU 88%).
    await putGpuSeries(cw, ids.download!, [
      ...minutes(gpu('download'), 45, 0),
      ...minutes(gpu('download') + 45 * MIN, 135, 88),
    ]);
    await putHostTimeline(
      cw,
      ids.download!,
      launchOf.download!,
      [
        { from: 0, cpu: 22, inMiB: 290, outMiB: 6 },
        { from: 45, cpu: 35, inMiB: 1, outMiB: 0.5 },
      ],
      { until: span },
    );
    // Trains for an hour on 4 GPUs (per-GPU series only), then re-caches features on the CPUs (detailed monitoring).
    await putGpuSeries(
      cw,
      ids.epochs!,
      [...minutes(gpu('epochs'), 60, [92, 90, 91, 93]), ...minutes(gpu('epochs') + 60 * MIN, 120, [0, 0, 0, 0])],
      { rollup: false },
    );
    await putHostTimeline(
      cw,
      ids.epochs!,
      launchOf.epochs!,
      [
        { from: 0, cpu: 40, inMiB: 1, outMiB: 1 },
        { from: 60, cpu: 96, inMiB: 0.2, outMiB: 0.1 },
      ],
      { until: span, period: 1 },
    );
    // A notebook used for its first 10 minutes, idle since, on a quiet host.
    await putGpuSeries(cw, ids.notebook!, [
      ...minutes(gpu('notebook'), 10, 35),
      ...minutes(gpu('notebook') + 10 * MIN, 170, 1),
    ]);
    await putHostTimeline(cw, ids.notebook!, launchOf.notebook!, [{ from: 0, cpu: 2, inMiB: 0.03, outMiB: 0.02 }], {
      until: span,
    });
    // Died at setup on 4 GPUs (rollup and per-GPU series): busy while booting, then nothing.
    await putGpuSeries(cw, ids.diedAtSetup!, minutes(gpu('diedAtSetup'), span, [0, 0, 0, 0]), { rollup: true });
    await putHostTimeline(
      cw,
      ids.diedAtSetup!,
      launchOf.diedAtSetup!,
      [
        { from: 0, cpu: 97, inMiB: 60, outMiB: 1 },
        { from: 8, cpu: 1.2, inMiB: 0.01, outMiB: 0.01 },
      ],
      { until: span },
    );
    // Never used, and not a single host datapoint (a region whose EC2 metrics are late, say).
    await putGpuSeries(cw, ids.noHost!, minutes(gpu('noHost'), span, 0));
    // Never used, and two host datapoints of a window of several.
    await putGpuSeries(cw, ids.partialHost!, minutes(gpu('partialHost'), span, 0));
    const firstInWindow = Math.ceil(afterAgent('partialHost') / (5 * MIN)) * 5 * MIN;
    await putHostTimeline(
      cw,
      ids.partialHost!,
      firstInWindow,
      [
        { from: 0, cpu: 50, inMiB: 0, outMiB: 0 },
        { from: 5, cpu: 3, inMiB: 0, outMiB: 0 },
      ],
      { until: 10 },
    );
    // A CPU job on a GPU instance: GPUs at 0% from launch, the host at 80% all along.
    await putGpuSeries(cw, ids.cpuJob!, minutes(gpu('cpuJob'), span, 0));
    await putHostTimeline(cw, ids.cpuJob!, launchOf.cpuJob!, [{ from: 0, cpu: 80, inMiB: 1.5, outMiB: 0.5 }], {
      until: span,
    });
    // Used for 5 minutes, then its GPU idle for hours while the host works.
    await putGpuSeries(cw, ids.idleThenCpu!, [
      ...minutes(gpu('idleThenCpu'), 5, 60),
      ...minutes(gpu('idleThenCpu') + 5 * MIN, 175, 0),
    ]);
    await putHostTimeline(cw, ids.idleThenCpu!, launchOf.idleThenCpu!, [{ from: 0, cpu: 70, inMiB: 0, outMiB: 0 }], {
      until: span,
    });
    // A busy GPU and an opted-out one: neither is read for host activity, whatever their hosts do.
    await putGpuSeries(cw, ids.busyGpu!, minutes(gpu('busyGpu'), span, 70));
    await putHostTimeline(cw, ids.busyGpu!, launchOf.busyGpu!, [{ from: 0, cpu: 2, inMiB: 0, outMiB: 0 }], {
      until: span,
    });
    await putGpuSeries(cw, ids.optedOut!, minutes(gpu('optedOut'), span, 0));
    await putHostTimeline(cw, ids.optedOut!, launchOf.optedOut!, [{ from: 0, cpu: 1, inMiB: 0, outMiB: 0 }], {
      until: span,
    });

    // Still downloading, its 5-minute periods 1 to 4 minutes past the clock's grid (a series seeded by hand).
    for (const offGrid of OFF_GRID) {
      const name = `offGrid${offGrid}`;
      await putGpuSeries(cw, ids[name]!, minutes(gpu(name), span, 0));
      await putHostTimeline(cw, ids[name]!, launchOf[name]!, [{ from: 0, cpu: 30, inMiB: 120, outMiB: 2 }], {
        until: span,
        offGrid,
      });
    }

    await plan(35, plans);
    await plan(75, plans);
    await plan(135, plans);
    // The same fleet with host activity off: the GPU rules alone, as before the feature.
    const dir = mkdtempSync(join(tmpdir(), 'reaper-host-'));
    const off = join(dir, 'host-off.json');
    writeFileSync(off, JSON.stringify({ activity: { host: { enabled: false } } }));
    await plan(35, gpuOnly, ['--config', off]);
  }, 240_000);

  describe('download then train', () => {
    it('keeps a job still downloading at 35 minutes, naming the host numbers, instead of warning never-used', () => {
      const decision = decisionOf(35, 'download');
      const periods = periodsIn(afterAgent('download'), end(35));
      expect(decision).toMatchObject({ outcome: 'keep', rule: null, action: null });
      expect(decision.reason).toBe(
        'GPU never used in 35m since launch (max 0%), but the host is busy: CPU max 22%, network up to 296 MiB/min; ' +
          `busy in ${periods} of ${periods} 5-minute periods; still setting up (a download, preprocessing?), not died at setup`,
      );
      expect(decision.evidence.host).toEqual({
        state: 'busy',
        from: new Date(afterAgent('download')).toISOString(),
        to: new Date(end(35)).toISOString(),
        periods,
        reportedPeriods: periods,
        busyPeriods: periods,
        cpuMax: 22,
        networkMiBPerMinuteMax: 296,
        period: 300,
      });
      // The GPU-only judgement would have warned it.
      expect(gpuOnly.get(35)!.get(ids.download!)).toMatchObject({ outcome: 'warn', rule: 'never-used' });
    });

    it('keeps it training later, and reads no host for a busy GPU', () => {
      const decision = decisionOf(75, 'download');
      expect(decision).toMatchObject({ outcome: 'keep', rule: null });
      expect(decision.reason).toContain('GPU busy');
      expect(decision.evidence.host).toBeUndefined();
    });
  });

  describe('a host series off the clock grid', () => {
    it.each(OFF_GRID)('reads 5-minute periods %i minutes past the grid where they are', (offGrid) => {
      const name = `offGrid${offGrid}`;
      const decision = decisionOf(35, name);
      const periods = periodsIn(afterAgent(name), end(35), 5, offGrid);
      expect(periods).toBeGreaterThanOrEqual(4);
      expect(decision).toMatchObject({ outcome: 'keep', rule: null });
      expect(decision.reason).toContain(
        `but the host is busy: CPU max 30%, network up to 122 MiB/min; busy in ${periods} of ${periods} 5-minute periods`,
      );
      expect(decision.evidence.host).toMatchObject({ state: 'busy', periods, reportedPeriods: periods, period: 300 });
    });
  });

  describe('CPU preprocessing between epochs', () => {
    it('keeps a run whose GPUs wait on the CPUs, with 1-minute periods under detailed monitoring', () => {
      const decision = decisionOf(135, 'epochs');
      expect(decision).toMatchObject({ outcome: 'keep', rule: null });
      expect(decision.reason).toBe(
        'GPU idle for the last 1h (max 0%), but the host is busy: CPU max 96%, network up to 0.3 MiB/min; ' +
          'busy in 60 of 60 1-minute periods; the host is working (preprocessing, a download, a CPU stage?), not idle',
      );
      expect(decision.evidence.host).toMatchObject({
        state: 'busy',
        from: new Date(end(135) - 60 * MIN).toISOString(),
        periods: 60,
        reportedPeriods: 60,
        busyPeriods: 60,
        cpuMax: 96,
        period: 60,
      });
      expect(decision.evidence.host!.networkMiBPerMinuteMax).toBeCloseTo(0.3, 10);
    });

    it('is not told of a CPU job: its GPUs have been unused for less than 2h', () => {
      expect(decisionOf(135, 'epochs').rule).not.toBe('gpu-idle-host-busy');
    });
  });

  describe('idle notebook with a quiet host', () => {
    it('warns idle as before, the reason saying the host is quiet and why', () => {
      const decision = decisionOf(75, 'notebook');
      const periods = periodsIn(end(75) - 60 * MIN, end(75));
      expect(decision).toMatchObject({ outcome: 'warn', rule: 'idle', action: 'stop' });
      expect(decision.reason).toMatch(/^GPU max 1% < 5% for every minute of the last 1h /);
      expect(decision.reason).toContain(
        `; host quiet (CPU max 2%, network up to 0.05 MiB/min; busy in 0 of ${periods} 5-minute periods)`,
      );
      expect(decision.evidence.host).toMatchObject({
        state: 'quiet',
        periods,
        reportedPeriods: periods,
        busyPeriods: 0,
        cpuMax: 2,
        period: 300,
      });
      expect(decision.evidence.host!.networkMiBPerMinuteMax).toBeCloseTo(0.05, 10);
    });
  });

  describe('died at setup', () => {
    it('warns never-used on a quiet host; the busy boot before the agent started does not count', () => {
      const decision = decisionOf(35, 'diedAtSetup');
      const periods = periodsIn(afterAgent('diedAtSetup'), end(35));
      expect(decision).toMatchObject({ outcome: 'warn', rule: 'never-used', action: 'stop' });
      expect(decision.reason).toMatch(/^GPU never reached 5% in 35m since launch \(max 0%; /);
      expect(decision.reason).toContain(
        `; host quiet (CPU max 1.2%, network up to 0.02 MiB/min; busy in 0 of ${periods} 5-minute periods)`,
      );
      expect(decision.reason).not.toContain('still setting up');
      expect(decision.evidence.host).toMatchObject({
        state: 'quiet',
        periods,
        busyPeriods: 0,
        cpuMax: 1.2,
        period: 300,
      });
    });
  });

  describe('host metrics missing', () => {
    it('judges by the GPUs alone, exactly as with host activity off, and says host activity is unknown', () => {
      const decision = decisionOf(35, 'noHost');
      const alone = gpuOnly.get(35)!.get(ids.noHost!)!;
      expect(alone).toMatchObject({ outcome: 'warn', rule: 'never-used', action: 'stop' });
      expect(decision).toMatchObject({ outcome: alone.outcome, rule: alone.rule, action: alone.action });
      // The same words and the same planned stop, with what the host showed added to what the GPU showed.
      expect(alone.reason).toContain('; will stop at ');
      expect(decision.reason).toBe(
        alone.reason.replace('; will stop at ', '; host activity unknown (no host datapoint); will stop at '),
      );
      expect(decision.evidence.host).toMatchObject({ state: 'unknown', periods: 0, busyPeriods: 0, cpuMax: null });
      expect(alone.evidence.host).toBeUndefined();
    });

    it('judges by the GPUs alone when only part of the window has host data, even if what is there is busy', () => {
      const decision = decisionOf(35, 'partialHost');
      const periods = periodsIn(afterAgent('partialHost'), end(35));
      expect(decision).toMatchObject({ outcome: 'warn', rule: 'never-used', action: 'stop' });
      expect(decision.reason).toContain(`host activity unknown (only 2 of ${periods} host periods have data)`);
      expect(decision.evidence.host).toMatchObject({ state: 'unknown', periods, reportedPeriods: 2, busyPeriods: 1 });
    });
  });

  describe('host busy for 2h+ with idle GPUs', () => {
    it('keeps a GPU instance whose host works, while its GPUs have been unused for less than 2h', () => {
      const decision = decisionOf(75, 'cpuJob');
      expect(decision).toMatchObject({ outcome: 'keep', rule: null });
      expect(decision.reason).toMatch(
        /^GPU never used in 1h15m since launch \(max 0%\), but the host is busy: CPU max 80%/,
      );
    });

    it('tells the owner of a CPU job on a GPU instance after 2h, never as an action', () => {
      const decision = decisionOf(135, 'cpuJob');
      const periods = periodsIn(end(135) - 120 * MIN, end(135));
      expect(decision).toMatchObject({ outcome: 'notify', rule: 'gpu-idle-host-busy', action: 'notify' });
      expect(decision.reason).toBe(
        `GPUs unused for 2h15m while the host works (CPU max 80%, network up to 2 MiB/min; busy in ${periods} of ` +
          `${periods} 5-minute periods): a CPU job on a GPU instance? Nothing is stopped for this; a CPU instance ` +
          'type would cost less',
      );
      expect(decision.evidence.idleMinutes).toBe(135);
      // What the idle GPUs cost so far: 2h15m of a g5.xlarge at the bundled $1.006 an hour.
      expect(decision.evidence.idleUsd).toBeCloseTo(2.26, 2);
      expect(decision.evidence.host).toMatchObject({
        state: 'busy',
        from: new Date(end(135) - 120 * MIN).toISOString(),
        to: new Date(end(135)).toISOString(),
        periods,
        busyPeriods: periods,
        cpuMax: 80,
        networkMiBPerMinuteMax: 2,
        period: 300,
      });
    });

    it('tells of GPUs idle for 2h after a first use, counting the idle time it can prove', () => {
      const decision = decisionOf(135, 'idleThenCpu');
      expect(decision).toMatchObject({ outcome: 'notify', rule: 'gpu-idle-host-busy', action: 'notify' });
      expect(decision.reason).toMatch(
        /^GPUs unused for 2h while the host works \(CPU max 70%, network up to 0 MiB\/min;/,
      );
      expect(decision.evidence.idleMinutes).toBe(120);
    });
  });

  describe('what is never read for host activity', () => {
    it('carries no host evidence for a busy GPU or an opted-out instance', () => {
      for (const m of [35, 75, 135]) {
        expect(decisionOf(m, 'busyGpu')).toMatchObject({ outcome: 'keep' });
        expect(decisionOf(m, 'busyGpu').evidence.host).toBeUndefined();
        expect(decisionOf(m, 'optedOut')).toMatchObject({ outcome: 'skip', rule: 'opt-out' });
        expect(decisionOf(m, 'optedOut').evidence.host).toBeUndefined();
      }
    });
  });
});
