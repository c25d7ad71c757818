/**
 * Host activity across passes as an admin runs them: `gpu-reaper run --json --now … --table …` (the real bin) in
 * enforce mode against moto, EC2's host metrics seeded into `AWS/EC2`. A warning issued on a quiet host is cleared
 * at the action pass when the host started working during the grace; GPUs unused on a busy host are told of once
 * per launch, never acted on; max-runtime still stops a busy host.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { type HostStretch, putHostTimeline } from '../../helpers/host-timeline';
import { useMoto } from '../../helpers/moto';
import { reaperResources } from '../../helpers/reaper-resources';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

interface Decision {
  instanceId: string;
  outcome: string;
  rule: string | null;
  action: string | null;
  reason: string;
  executed: boolean;
  evidence: { host?: { state: string; busyPeriods: number; periods: number; cpuMax: number | null } };
}

interface RunDocument {
  decisions: Decision[];
  events: { event: string; instanceId: string; rule: string | null }[];
}

const dir = mkdtempSync(join(tmpdir(), 'reaper-host-run-'));
const ENFORCE = join(dir, 'enforce.json');
writeFileSync(ENFORCE, JSON.stringify({ mode: 'enforce' }));

describe('host activity across runs', () => {
  let fx: Awaited<ReturnType<typeof reaperResources>>;
  beforeEach(async () => {
    await moto.reset();
    fx = await reaperResources(moto.region, 'host-run');
  });

  /** Launches one g5.xlarge and seeds its GPU (per minute from the launch minute) and host timelines. */
  async function launch(
    gpu: (launchMinute: number) => Parameters<typeof putGpuSeries>[2],
    host: HostStretch[],
    tags = {},
  ) {
    const [id] = await launchInstances(fx.ec2, {
      instanceType: 'g5.xlarge',
      tags: { Owner: 'ana@example.com', ...tags },
    });
    const described = await fx.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id!] }));
    const launched = described.Reservations![0]!.Instances![0]!.LaunchTime!.getTime();
    await putGpuSeries(fx.cloudwatch, id!, gpu(Math.floor(launched / MIN) * MIN));
    if (host.length > 0) await putHostTimeline(fx.cloudwatch, id!, launched, host, { until: 240 });
    const at = (m: number) => new Date(launched + m * MIN + 20_000);
    return { id: id!, at };
  }

  /** One `run --json` pass at `now`; the instance's decision and the pass's events. */
  async function run(now: Date, id: string) {
    const args = ['run', '--json', '--now', now.toISOString(), '--region', moto.region, '--table', fx.table];
    const result = await runCli([...args, '--config', ENFORCE]);
    expect(result.stderr).toBe('');
    const document = JSON.parse(result.stdout) as RunDocument;
    const decision = document.decisions.find((candidate) => candidate.instanceId === id)!;
    return { decision, events: document.events.map(({ event, rule }) => [event, rule]) };
  }

  const eventsOf = async (id: string) => (await fx.audit.byInstance(id)).map((item) => item.event);

  describe('warning cleared by a busy host', () => {
    const notebook = (start: number) => [...minutes(start, 5, 40), ...minutes(start + 5 * MIN, 235, 1)];

    it('clears an idle warning issued on a quiet host when the host works during the grace, and never stops', async () => {
      const { id, at } = await launch(notebook, [
        { from: 0, cpu: 2, inMiB: 0.02, outMiB: 0.01 },
        // Right after the warning, preprocessing on every core (the GPU still waits).
        { from: 71, cpu: 85, inMiB: 3, outMiB: 0.5 },
      ]);
      const warned = await run(at(70), id);
      expect(warned.decision).toMatchObject({ outcome: 'warn', rule: 'idle', action: 'stop' });
      expect(warned.decision.reason).toContain('; host quiet (CPU max 2%, network up to 0.03 MiB/min; busy in 0 of');
      expect(warned.decision.evidence.host).toMatchObject({ state: 'quiet', busyPeriods: 0 });
      expect(warned.events).toEqual([['WARNED', 'idle']]);

      // The first pass it is due at, as soon as the grace is over.
      const due = await run(at(101), id);
      expect(due.decision).toMatchObject({ outcome: 'keep', rule: null, action: null, executed: false });
      expect(due.decision.reason).toMatch(
        /^warning for idle \(stop\) cleared: GPU idle for the last 1h \(max 1%\), but the host is busy: CPU max 85%, network up to 3\.5 MiB\/min; busy in \d+ of \d+ 5-minute periods; the host is working \(preprocessing, a download, a CPU stage\?\), not idle$/,
      );
      expect(due.decision.evidence.host).toMatchObject({ state: 'busy', cpuMax: 85 });
      expect(due.events).toEqual([['CLEARED', 'idle']]);
      expect(await fx.stateOf(id)).toBe('running');
      const audit = await fx.audit.byInstance(id);
      expect(audit.map((item) => item.event)).toEqual(['WARNED', 'CLEARED']);
      expect(audit[1]!.reason).toContain('but the host is busy: CPU max 85%');

      // Nothing more to say while the host works: no new warning, no action.
      const later = await run(at(125), id);
      expect(later.decision).toMatchObject({ outcome: 'keep' });
      expect(later.events).toEqual([]);
      expect(await fx.stateOf(id)).toBe('running');
    });

    it('stops at the action pass when the host stayed quiet through the grace', async () => {
      const { id, at } = await launch(notebook, [{ from: 0, cpu: 2, inMiB: 0.02, outMiB: 0.01 }]);
      expect((await run(at(70), id)).decision).toMatchObject({ outcome: 'warn', rule: 'idle' });
      const due = await run(at(101), id);
      expect(due.decision).toMatchObject({ outcome: 'act', rule: 'idle', action: 'stop', executed: true });
      expect(due.decision.reason).toContain('host quiet (CPU max 2%');
      expect(['stopping', 'stopped']).toContain(await fx.stateOf(id));
      expect(await eventsOf(id)).toEqual(['WARNED', 'STOPPED']);
    });

    it('clears a never-used warning when the host starts its download during the grace', async () => {
      const { id, at } = await launch(
        (start) => minutes(start, 240, 0),
        [
          { from: 0, cpu: 1, inMiB: 0.01, outMiB: 0.01 },
          { from: 36, cpu: 25, inMiB: 240, outMiB: 4 },
        ],
      );
      const warned = await run(at(35), id);
      expect(warned.decision).toMatchObject({ outcome: 'warn', rule: 'never-used', action: 'stop' });
      expect(warned.decision.reason).toContain('host quiet (CPU max 1%');

      const due = await run(at(66), id);
      expect(due.decision).toMatchObject({ outcome: 'keep', rule: null });
      expect(due.decision.reason).toMatch(
        /^warning for never-used \(stop\) cleared: GPU never used in 1h6m since launch \(max 0%\), but the host is busy: CPU max 25%, network up to 244 MiB\/min; busy in \d+ of \d+ 5-minute periods; still setting up/,
      );
      expect(due.events).toEqual([['CLEARED', 'never-used']]);
      expect(await fx.stateOf(id)).toBe('running');
      expect(await eventsOf(id)).toEqual(['WARNED', 'CLEARED']);
    });
  });

  describe('host metrics missing', () => {
    it('warns, then stops at the action pass, as the GPU rules alone would', async () => {
      const { id, at } = await launch((start) => minutes(start, 240, 0), []);
      const warned = await run(at(35), id);
      expect(warned.decision).toMatchObject({ outcome: 'warn', rule: 'never-used', action: 'stop' });
      expect(warned.decision.reason).toContain('host activity unknown (no host datapoint)');
      const due = await run(at(66), id);
      expect(due.decision).toMatchObject({ outcome: 'act', rule: 'never-used', action: 'stop', executed: true });
      expect(due.decision.reason).toContain('host activity unknown (no host datapoint)');
      expect(['stopping', 'stopped']).toContain(await fx.stateOf(id));
      expect(await eventsOf(id)).toEqual(['WARNED', 'STOPPED']);
    });
  });

  describe('host busy for 2h+ with idle GPUs', () => {
    it('tells the owner once per launch, never warns or stops for it', async () => {
      const { id, at } = await launch(
        (start) => minutes(start, 240, 0),
        [{ from: 0, cpu: 80, inMiB: 1.5, outMiB: 0.5 }],
      );
      const early = await run(at(75), id);
      expect(early.decision).toMatchObject({ outcome: 'keep', rule: null });
      expect(early.decision.reason).toContain('still setting up');
      expect(early.events).toEqual([]);

      const told = await run(at(135), id);
      expect(told.decision).toMatchObject({ outcome: 'notify', rule: 'gpu-idle-host-busy', action: 'notify' });
      expect(told.decision.reason).toMatch(/^GPUs unused for 2h15m while the host works \(CPU max 80%/);
      expect(told.events).toEqual([['NOTIFIED', 'gpu-idle-host-busy']]);

      for (const m of [150, 200]) {
        const again = await run(at(m), id);
        expect(again.decision).toMatchObject({ outcome: 'notify', rule: 'gpu-idle-host-busy', executed: false });
        expect(again.events).toEqual([]);
      }
      expect(await fx.stateOf(id)).toBe('running');
      const audit = await fx.audit.byInstance(id);
      expect(audit.map((item) => [item.event, item.rule])).toEqual([['NOTIFIED', 'gpu-idle-host-busy']]);
      expect(audit[0]!.reason).toContain('a CPU job on a GPU instance?');
    });

    it('still stops at max-runtime on a busy host, after its warning', async () => {
      const { id, at } = await launch(
        (start) => minutes(start, 240, 0),
        [{ from: 0, cpu: 80, inMiB: 1.5, outMiB: 0.5 }],
        { 'gpu-reaper:max-runtime': '1h' },
      );
      const warned = await run(at(70), id);
      expect(warned.decision).toMatchObject({ outcome: 'warn', rule: 'max-runtime', action: 'stop' });
      expect(warned.events).toEqual([['WARNED', 'max-runtime']]);
      const due = await run(at(101), id);
      expect(due.decision).toMatchObject({ outcome: 'act', rule: 'max-runtime', action: 'stop', executed: true });
      expect(['stopping', 'stopped']).toContain(await fx.stateOf(id));
      expect(await eventsOf(id)).toEqual(['WARNED', 'STOPPED']);
    });
  });
});
