/**
 * `gpu-reaper plan --json` against moto: a mixed GPU fleet seeded through the real SDK, decided by the real CLI.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries, stopInstances } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';

const moto = useMoto();
const HOUR = 3_600_000;

type Decision = { instanceId: string; outcome: string; rule: string | null; action: string | null; reason: string };

describe('plan against a mixed fleet', () => {
  const ids: Record<string, string> = {};
  let launch: number;
  let now: Date;
  let document: {
    passId: string;
    mode: string;
    now: string;
    regions: string[];
    decisions: Decision[];
    summary: Record<string, number>;
  };
  let exitCode: number | null;
  const decisionOf = (name: string) => document.decisions.find((d) => d.instanceId === ids[name]);

  beforeAll(async () => {
    const ec2 = new EC2Client(clientOptions(moto.region));
    const cw = new CloudWatchClient(clientOptions(moto.region));
    const launchOne = async (name: string, instanceType: string, tags: Record<string, string> = {}) => {
      const [id] = await launchInstances(ec2, { instanceType, tags: { Owner: `${name}@example.com`, ...tags } });
      ids[name] = id!;
    };
    launch = Math.floor(Date.now() / 60_000) * 60_000;
    now = new Date(launch + 3 * HOUR);

    await launchOne('busy', 'g5.xlarge');
    await launchOne('idle', 'g5.2xlarge');
    await launchOne('neverUsed', 'g5.xlarge');
    await launchOne('overTime', 'g6.xlarge', { 'gpu-reaper:max-runtime': '2h' });
    await launchOne('optedOut', 'g5.xlarge', { 'gpu-reaper:opt-out': 'true' });
    await launchOne('snoozed', 'g5.xlarge', {
      'gpu-reaper:snooze-until': new Date(now.getTime() + 2 * HOUR).toISOString(),
    });
    await launchOne('oneOfEight', 'p4d.24xlarge');
    await launchOne('noTelemetry', 'g4dn.xlarge');
    await launchOne('badTag', 'g5.xlarge', { 'gpu-reaper:max-runtime': 'forever' });
    await launchOne('asg', 'g5.xlarge', { 'aws:autoscaling:groupName': 'gpu-workers' });
    // A GPU family DescribeInstanceTypes does not know (yet): decided by its name, and the reason says so.
    await launchOne('unknownType', 'g9z.4xlarge');
    await launchOne('cpu', 'm5.large');
    await launchOne('stopped', 'g5.xlarge');
    await stopInstances(ec2, [ids.stopped!]);

    const span = (3 * HOUR) / 60_000;
    await putGpuSeries(cw, ids.busy!, minutes(launch, span, 62));
    await putGpuSeries(cw, ids.idle!, [...minutes(launch, 60, 80), ...minutes(launch + HOUR, span - 60, 1)]);
    await putGpuSeries(cw, ids.neverUsed!, minutes(launch, span, 0));
    await putGpuSeries(cw, ids.overTime!, minutes(launch, span, 95));
    await putGpuSeries(cw, ids.optedOut!, minutes(launch, span, 0));
    await putGpuSeries(cw, ids.snoozed!, minutes(launch, span, 0));
    await putGpuSeries(cw, ids.badTag!, minutes(launch, span, 70));
    await putGpuSeries(cw, ids.asg!, minutes(launch, span, 0));
    await putGpuSeries(cw, ids.cpu!, minutes(launch, span, 0));
    await putGpuSeries(cw, ids.unknownType!, minutes(launch, span, 40));
    // Eight per-GPU series and no rollup: GPU 3 is busy, the other seven are not.
    await putGpuSeries(cw, ids.oneOfEight!, minutes(launch, span, [0, 0, 0, 91, 0, 0, 0, 0]), { rollup: false });

    const run = await runCli(['plan', '--json', '--now', now.toISOString(), '--region', moto.region]);
    exitCode = run.code;
    expect(run.stderr).toBe('');
    document = JSON.parse(run.stdout);
  }, 120_000);

  it('prints the JSON document with its summary', () => {
    expect(exitCode).toBe(0);
    expect(Object.keys(document).sort()).toEqual([
      'decisions',
      'mode',
      'now',
      'passId',
      'regions',
      'summary',
      'unmatchedSeries',
    ]);
    expect(document.mode).toBe('dry-run');
    expect(document.now).toBe(now.toISOString());
    expect(document.regions).toEqual([moto.region]);
    expect(document.summary).toEqual({ scanned: 11, kept: 4, warned: 3, acted: 0, skipped: 3, notified: 1, errors: 0 });
    for (const decision of document.decisions) {
      expect(Object.keys(decision)).toEqual(
        expect.arrayContaining(['instanceId', 'region', 'instanceType', 'owner', 'outcome', 'rule', 'action']),
      );
      expect(decision).toMatchObject({ executed: false });
    }
  });

  it('leaves non-GPU and stopped instances out entirely', () => {
    expect(decisionOf('cpu')).toBeUndefined();
    expect(decisionOf('stopped')).toBeUndefined();
  });

  it('keeps busy instances, including one busy GPU out of eight', () => {
    expect(decisionOf('busy')).toMatchObject({ outcome: 'keep', rule: null });
    expect(decisionOf('oneOfEight')).toMatchObject({ outcome: 'keep', rule: null });
  });

  it('warns about idle, never-used and over-time instances', () => {
    expect(decisionOf('idle')).toMatchObject({ outcome: 'warn', rule: 'idle', action: 'stop' });
    expect(decisionOf('neverUsed')).toMatchObject({ outcome: 'warn', rule: 'never-used', action: 'stop' });
    expect(decisionOf('overTime')).toMatchObject({ outcome: 'warn', rule: 'max-runtime', action: 'stop' });
  });

  it('falls back to the GPU family name for a type DescribeInstanceTypes does not know', () => {
    const decision = decisionOf('unknownType')!;
    expect(decision).toMatchObject({ outcome: 'keep', instanceType: 'g9z.4xlarge' });
    expect(decision.reason).toMatch(/family/i);
  });

  it('skips opted-out, snoozed and ASG members', () => {
    expect(decisionOf('optedOut')).toMatchObject({ outcome: 'skip', rule: 'opt-out' });
    expect(decisionOf('snoozed')).toMatchObject({ outcome: 'skip', rule: 'snoozed' });
    expect(decisionOf('asg')).toMatchObject({ outcome: 'skip', rule: 'managed-by-asg' });
  });

  it('notifies about an instance without GPU telemetry, never acts', () => {
    expect(decisionOf('noTelemetry')).toMatchObject({ outcome: 'notify', rule: 'no-telemetry', action: 'notify' });
  });

  it('ignores a bad tag value, names it in the reason, and applies the default', () => {
    const decision = decisionOf('badTag')!;
    expect(decision).toMatchObject({ outcome: 'keep' });
    expect(decision.reason).toContain('gpu-reaper:max-runtime');
    expect(decision.reason).toContain('forever');
  });
});
