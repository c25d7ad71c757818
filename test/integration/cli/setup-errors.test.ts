/**
 * What a new user trips on, from the command line (the real bin, a child process) against moto: a region that could
 * not be scanned never reads as an empty fleet, a missing table is one line naming table and region, `report`
 * takes `--region`, `--version` answers, and every error speaks with one voice (`gpu-reaper: …`).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { type StandInEndpoint, startStandIn } from '../../helpers/stand-in-endpoint';
import { runFixture } from '../run/run-fixture';

const moto = useMoto();
// Regions the endpoint cannot serve: a stand-in answers them with the error page moto gives a region it lacks.
const REJECTED = ['ap-east-2', 'mx-central-1'];
const MIN = 60_000;

describe('a region that could not be scanned', () => {
  let rejecting: StandInEndpoint;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    rejecting = await startStandIn(() => ({
      status: 500,
      body: '<html><title>500</title></html>',
      contentType: 'text/html',
    }));
    env = { ...process.env, AWS_ENDPOINT_URL: rejecting.url };
  });
  afterAll(() => rejecting.close());

  it('is said in place of "no instances", counts as an error, and exits 1', async () => {
    const result = await runCli(['plan', '--region', REJECTED[0]!, '--region', REJECTED[1]!], env);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('no running GPU instances');
    for (const region of REJECTED) expect(result.stdout).toMatch(new RegExp(`^region ${region} not scanned: \\S`, 'm'));
    expect(result.stdout).toContain('errors 2');
  });

  it('counts in summary.errors of --json and is named on stderr, every region of them', async () => {
    const result = await runCli(['plan', '--json', '--region', REJECTED[0]!, '--region', REJECTED[1]!], env);
    expect(result.code).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document.summary.errors).toBe(2);
    expect(document.regionErrors.map((failure: { region: string }) => failure.region)).toEqual(REJECTED);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const [i, region] of REJECTED.entries()) expect(lines[i]).toMatch(`gpu-reaper: region ${region} not scanned`);
  });

  it('names every region in the one line of exit 3 when AWS is unreachable', async () => {
    const env = { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
    const result = await runCli(['plan', '--region', 'us-east-1', '--region', 'eu-west-1'], env);
    expect(result.code).toBe(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gpu-reaper: no region could be scanned: .*us-east-1.*eu-west-1/);
  });
});

describe('a table that does not exist', () => {
  const tableLine = (region: string) => new RegExp(`^gpu-reaper: table "nope" not found in ${region}: .*--table`);

  it('stops run before the pass: one line naming table and region, exit 2', async () => {
    const result = await runCli(['run', '--region', moto.region, '--table', 'nope']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(tableLine(moto.region));
  });

  it('stops report the same way, in the region --region names', async () => {
    const result = await runCli(['report', '--table', 'nope', '--region', 'eu-west-1']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(tableLine('eu-west-1'));
  });

  it('stops plan when the config names it as auditTable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reaper-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auditTable: 'nope' }));
    const result = await runCli(['plan', '--config', join(dir, 'config.json'), '--region', moto.region]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(tableLine(moto.region));
  });
});

describe('a call the pass went on without', () => {
  it('counts in the table and the exit code, not only on stderr', async () => {
    const fx = await runFixture(moto.region);
    const launch = Math.floor(Date.now() / MIN) * MIN;
    const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'bo@example.com' } });
    await putGpuSeries(fx.cloudwatch, id!, [...minutes(launch, 5, 40), ...minutes(launch + 5 * MIN, 120, 0)]);
    const now = new Date(launch + 70 * MIN + 30_000).toISOString();
    const topic = `arn:aws:sns:${moto.region}:123456789012:no-such-topic`;
    const args = ['run', '--now', now, '--region', moto.region, '--table', fx.table, '--topic', topic];
    const result = await runCli(args);
    expect(result.stderr).toMatch(/^gpu-reaper: .*(no-such-topic|NotFound)/m);
    expect(result.stdout).toMatch(/^and \d+ more error\(s\): AWS calls that failed/m);
    expect(result.code).toBe(1);
  });
});

describe('report --region', () => {
  let table: string;
  beforeAll(async () => {
    ({ table } = await runFixture(moto.region));
  });

  it('reads the audit table of the region it names', async () => {
    const env = { ...process.env, AWS_REGION: 'eu-west-1' };
    const result = await runCli(['report', '--json', '--table', table, '--region', moto.region], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('byEvent');
  });
});

describe('one voice', () => {
  it('prints the package version for --version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([
    [['plan', '--bogus'], "unknown option '--bogus'"],
    [['nope'], "unknown command 'nope'"],
    [['backtest', '--days'], "option '--days <n>' argument missing"],
  ])('starts commander’s own errors with gpu-reaper: too (%j)', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`gpu-reaper: ${message}\n`);
  });
});
