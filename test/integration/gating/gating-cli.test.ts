/**
 * Cost-gating as an admin runs it: `gpu-reaper run --json --now … --table …` (the real bin) against moto, with
 * `gating` on (threshold $200, the bundled on-demand prices: a p4d.24xlarge at $21.9576/h × the 12h default runtime
 * projects $263.49). Over the threshold a run is warned and, `gating.grace` after the warning, stopped; opt-out does
 * not exempt it, an Auto Scaling group member is not gated, an approver's `approved-until` tag is the only
 * exemption and becomes the run's deadline; a value that does not parse, or one already past, is no approval.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { reaperResources } from '../../helpers/reaper-resources';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

interface Decision {
  instanceId: string;
  outcome: string;
  rule: string | null;
  action: string | null;
  actAt: string | null;
  reason: string;
  executed: boolean;
  evidence: Record<string, unknown>;
}

const dir = mkdtempSync(join(tmpdir(), 'reaper-gating-'));
const CONFIG = join(dir, 'gating.json');
writeFileSync(
  CONFIG,
  JSON.stringify({ mode: 'enforce', gating: { threshold: 200, approvers: ['ml-leads@example.com'], grace: '15m' } }),
);

describe('cost-gating through the CLI', () => {
  let fx: Awaited<ReturnType<typeof reaperResources>>;
  beforeEach(async () => {
    await moto.reset();
    fx = await reaperResources(moto.region, 'gating');
  });

  /** Launches one instance busy on its GPUs (so only the gate can name its decision); its clock from its launch. */
  async function launch(instanceType: string, tags: Record<string, string> = {}) {
    const [id] = await launchInstances(fx.ec2, { instanceType, tags: { Owner: 'ana@example.com', ...tags } });
    const described = await fx.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id!] }));
    const launched = described.Reservations![0]!.Instances![0]!.LaunchTime!.getTime();
    await putGpuSeries(fx.cloudwatch, id!, minutes(Math.floor(launched / MIN) * MIN, 120, 80));
    return { id: id!, at: (m: number) => new Date(launched + m * MIN + 20_000) };
  }

  async function run(now: Date, id: string) {
    const args = ['run', '--json', '--now', now.toISOString(), '--region', moto.region, '--table', fx.table];
    const result = await runCli([...args, '--config', CONFIG]);
    expect(result.stderr).toBe('');
    const document = JSON.parse(result.stdout) as { decisions: Decision[] };
    return document.decisions.find((candidate) => candidate.instanceId === id)!;
  }

  const eventsOf = async (id: string) => (await fx.audit.byInstance(id)).map((item) => `${item.event}:${item.rule}`);

  it('warns an expensive run with its projected cost, then stops it gating.grace after the warning', async () => {
    const { id, at } = await launch('p4d.24xlarge');
    const warned = await run(at(5), id);
    expect(warned).toMatchObject({ outcome: 'warn', rule: 'unapproved', action: 'stop' });
    expect(warned.evidence).toMatchObject({ projectedUsd: 263.49, hourlyUsd: 21.9576, allowedRuntime: '12h' });
    expect(warned.reason).toContain('projected cost $263.49 (p4d.24xlarge at $21.9576/h × 12h, maxRuntime.default)');
    expect(warned.reason).toContain('reaches the $200.00 approval threshold, and no approval');
    expect(Date.parse(warned.actAt!) - at(5).getTime()).toBe(15 * MIN);
    expect(await run(at(12), id)).toMatchObject({ outcome: 'warn', rule: 'unapproved' });
    const acted = await run(at(21), id);
    expect(acted).toMatchObject({ outcome: 'act', rule: 'unapproved', action: 'stop', executed: true });
    expect(await fx.stateOf(id)).toMatch(/stopp/);
    expect(await eventsOf(id)).toEqual(['WARNED:unapproved', 'STOPPED:unapproved']);
  });

  it('keeps a run projected under the threshold, and one whose max-runtime tag brings it under', async () => {
    const small = await launch('g5.xlarge');
    expect(await run(small.at(5), small.id)).toMatchObject({ outcome: 'keep', rule: null });
    const short = await launch('p4d.24xlarge', { 'gpu-reaper:max-runtime': '8h' });
    const kept = await run(short.at(5), short.id);
    expect(kept).toMatchObject({ outcome: 'keep', rule: null });
  });

  it('gates an opted-out run and ignores the owner action tag, but not an Auto Scaling group member', async () => {
    const opted = await launch('p4d.24xlarge', { 'gpu-reaper:opt-out': 'true', 'gpu-reaper:action': 'notify' });
    expect(await run(opted.at(5), opted.id)).toMatchObject({ outcome: 'warn', rule: 'unapproved', action: 'stop' });
    const member = await launch('p4d.24xlarge', { 'aws:autoscaling:groupName': 'training' });
    expect(await run(member.at(5), member.id)).toMatchObject({ outcome: 'skip', rule: 'managed-by-asg' });
  });

  it('takes an approver tag as the approval and its deadline, audited once as APPROVED by the approver', async () => {
    const approvedUntil = new Date(Date.now() + 24 * 3_600_000).toISOString();
    const { id, at } = await launch('p4d.24xlarge', { 'gpu-reaper:approved-until': approvedUntil });
    const kept = await run(at(5), id);
    expect(kept).toMatchObject({ outcome: 'keep', rule: null });
    expect(kept.reason).toContain('max-runtime deadline');
    await run(at(10), id);
    const items = await fx.audit.byInstance(id);
    expect(items.map((item) => [item.event, item.by])).toEqual([['APPROVED', 'approver']]);
    expect(items[0]!.reason).toContain('approved until');
  });

  it('takes an approved-until that does not parse, or one already past, as no approval', async () => {
    const bad = await launch('p4d.24xlarge', { 'gpu-reaper:approved-until': 'tomorrow' });
    const refused = await run(bad.at(5), bad.id);
    expect(refused).toMatchObject({ outcome: 'warn', rule: 'unapproved' });
    expect(refused.reason).toContain('tag gpu-reaper:approved-until="tomorrow" ignored');
    const past = await launch('p4d.24xlarge', { 'gpu-reaper:approved-until': '2020-01-01T00:00:00Z' });
    const ended = await run(past.at(5), past.id);
    expect(ended).toMatchObject({ outcome: 'warn', rule: 'unapproved' });
    expect(ended.reason).toContain('its approval ended');
  });
});
