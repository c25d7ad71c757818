/**
 * `gpu-reaper run` and `gpu-reaper report` as a user runs them (the real bin, a child process) against moto.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

describe('run and report from the command line', () => {
  let fx: Awaited<ReturnType<typeof runFixture>>;
  let id: string;
  let launch: number;
  beforeAll(async () => {
    fx = await runFixture(moto.region);
    launch = Math.floor(Date.now() / MIN) * MIN;
    [id] = (await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'bo@example.com' } })) as [
      string,
    ];
    await putGpuSeries(fx.cloudwatch, id, [...minutes(launch, 5, 40), ...minutes(launch + 5 * MIN, 120, 0)]);
  });
  const at = (m: number) => new Date(launch + m * MIN + 30_000).toISOString();

  it('runs a pass in dry-run with --json and prints the transitions it recorded', async () => {
    const result = await runCli(['run', '--json', '--now', at(70), '--region', moto.region, '--table', fx.table]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.mode).toBe('dry-run');
    expect(document.decisions).toEqual([expect.objectContaining({ instanceId: id, outcome: 'warn', rule: 'idle' })]);
    expect(document.events).toEqual([expect.objectContaining({ event: 'WARNED', instanceId: id })]);
    expect(await fx.stateOf(id)).toBe('running');
  });

  it('prints the notifications in readable text when no topic is configured', async () => {
    const result = await runCli(['run', '--now', at(101), '--region', moto.region, '--table', fx.table]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('WOULD_STOP');
    expect(result.stdout).toContain('[DRY RUN]');
    expect(await fx.stateOf(id)).toBe('running');
  });

  it('reports the audit trail by event, rule, owner and instance type', async () => {
    const result = await runCli(['report', '--json', '--since', at(0), '--now', at(120), '--table', fx.table]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.byEvent).toEqual({ WARNED: 1, WOULD_STOP: 1 });
    expect(report.byRule).toEqual({ idle: 2 });
    expect(report.byOwner).toEqual({ 'bo@example.com': 2 });
    expect(report.byInstanceType).toEqual({ 'g5.xlarge': 2 });
    // Dry run: the WOULD_STOP at 101m counts to the end of the report (120m): 19/60 h × $1.006 (bundled price).
    expect(report.avoided).toMatchObject({ actions: 0, usd: 0 });
    expect(report.wouldHaveAvoided).toMatchObject({ actions: 1, hours: 0.32, usd: 0.32, gpuHours: 0.32 });
    expect(report.wouldHaveAvoided.byRule).toEqual({
      idle: { actions: 1, hours: 0.32, usd: 0.32, gpuHours: 0.32, idleUsdBefore: expect.any(Number), unpriced: 0 },
    });
    expect(report.avoided.method).toContain('hours × hourlyUsd');
  });

  it('refuses run without a table (exit 2, one line on stderr)', async () => {
    const result = await runCli(['run', '--region', moto.region]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--table');
  });

  it('exits 2 naming the key path of a bad config, and 3 when AWS is unreachable', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'reaper-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ idle: { threshold: 'five' } }));
    const bad = await runCli(['plan', '--config', join(dir, 'bad.json'), '--region', moto.region]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('idle.threshold');

    const unreachable = await runCli(['plan', '--region', moto.region], {
      ...process.env,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).not.toMatch(/\n\s+at /);
  });
});
