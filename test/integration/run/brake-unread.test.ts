/**
 * The telemetry-outage brake with the read schedule, end to end against moto through the real CLI: with `idle` off
 * and `noTelemetry.after: 3h`, two busy instances go silent at minute 20 and a never-used one stays at 0%. `run` at
 * minute 25 stores when to read the busy two next (minute 200); `run` at minute 120 must still hold the never-used
 * one back as `plan` (which reads every instance) does, because the two have had no datapoint for an hour.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

type Decision = { instanceId: string; outcome: string; rule: string | null; reason: string; evidence: object };
type PassDocument = { decisions: Decision[]; telemetryBrake?: boolean };

describe('the outage brake on instances the schedule did not read', () => {
  let fx: Awaited<ReturnType<typeof runFixture>>;
  let launch: number;
  let configFile: string;
  const ids: Record<'busy1' | 'busy2' | 'neverUsed', string> = { busy1: '', busy2: '', neverUsed: '' };
  const at = (m: number) => new Date(launch + m * MIN + 30_000).toISOString();
  const pass = async (verb: 'run' | 'plan', m: number): Promise<PassDocument> => {
    const table = verb === 'run' ? ['--table', fx.table] : [];
    const result = await runCli([verb, '--json', '--now', at(m), '--config', configFile, ...table]);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as PassDocument;
  };
  const byName = (document: PassDocument) => {
    const of = (id: string) => document.decisions.find((decision) => decision.instanceId === id)!;
    return { busy1: of(ids.busy1), busy2: of(ids.busy2), neverUsed: of(ids.neverUsed) };
  };

  beforeAll(async () => {
    fx = await runFixture(moto.region);
    launch = Math.floor(Date.now() / MIN) * MIN;
    const dir = mkdtempSync(join(tmpdir(), 'reaper-brake-'));
    configFile = join(dir, 'gpu-reaper.json');
    const config = {
      mode: 'dry-run',
      regions: [moto.region],
      idle: { enabled: false },
      noTelemetry: { after: '3h' },
    };
    writeFileSync(configFile, JSON.stringify(config));
    for (const name of Object.keys(ids) as (keyof typeof ids)[]) {
      const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: `${name}@example.com` } });
      ids[name] = id!;
    }
    // Busy for the first 20 minutes, then silent (the agent died; the instance runs on).
    await putGpuSeries(fx.cloudwatch, ids.busy1, minutes(launch, 20, 80));
    await putGpuSeries(fx.cloudwatch, ids.busy2, minutes(launch, 20, 80));
    await putGpuSeries(fx.cloudwatch, ids.neverUsed, minutes(launch, 130, 0));
  }, 120_000);

  it('holds back never-used at minute 120 in run exactly as plan does', async () => {
    const early = byName(await pass('run', 25));
    expect(early.busy1).toMatchObject({ outcome: 'keep', evidence: { telemetry: 'ok' } });
    expect(early.neverUsed).toMatchObject({ outcome: 'keep' });

    const planned = await pass('plan', 120);
    const ran = await pass('run', 120);
    const plan = byName(planned);
    const run = byName(ran);
    expect(plan.neverUsed).toMatchObject({ outcome: 'skip', rule: 'never-used' });
    expect(plan.neverUsed.reason).toMatch(
      /^held back: GPU telemetry is missing for 2 of 3 instances, and a metrics outage is not idleness \(/,
    );
    expect(run.neverUsed).toMatchObject({ outcome: 'skip', rule: 'never-used', reason: plan.neverUsed.reason });
    expect(ran.telemetryBrake).toBe(true);
    expect(planned.telemetryBrake).toBe(true);
    // The two busy instances were not due before minute 200, but the brake needed them: read after all.
    expect(run.busy1).toMatchObject({ outcome: plan.busy1.outcome, evidence: { telemetry: 'ok' } });
    expect(run.busy2).toMatchObject({ outcome: plan.busy2.outcome, evidence: { telemetry: 'ok' } });
  }, 120_000);
});
