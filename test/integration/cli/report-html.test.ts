/**
 * `gpu-reaper report --html FILE` as a user runs it (the real bin, a child process) against moto: the page is the
 * report's own `fleet` (its headline says the JSON's numbers), the terminal says where it went, and a file that
 * cannot be written is bad usage in one line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetHeadline } from '../../../shared/render/reports/fleet-text';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from '../run/run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;
const work = mkdtempSync(join(tmpdir(), 'gpu-reaper-report-html-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('report --html', () => {
  let fx: Awaited<ReturnType<typeof runFixture>>;
  let id: string;
  let launch: number;
  beforeAll(async () => {
    fx = await runFixture(moto.region);
    launch = Math.floor(Date.now() / MIN) * MIN - 3 * 60 * MIN;
    [id] = (await launchInstances(fx.ec2, {
      instanceType: 'g5.xlarge',
      tags: { Owner: 'bo@example.com', Team: 'research' },
    })) as [string];
    await putGpuSeries(fx.cloudwatch, id, [...minutes(launch, 30, 60), ...minutes(launch + 30 * MIN, 90, 1)]);
  });
  const at = (m: number) => new Date(launch + m * MIN).toISOString();
  const base = () => ['report', '--since', at(0), '--now', at(150), '--region', moto.region, '--table', fx.table];

  it('writes the fleet page of the same report the JSON prints', async () => {
    const file = join(work, 'fleet.html');
    const result = await runCli([...base(), '--json', '--html', file]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.fleet.instances).toBe(1);
    const page = readFileSync(file, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain(`${fleetHeadline(report.fleet)}.</p>`);
    expect(page).toContain(id);
    expect(page).toContain('<h2>By Team</h2>');
    expect(page).not.toMatch(/<script|\bsrc=|\bhref=/);
  });

  it('says where the page went under the table', async () => {
    const file = join(work, 'table.html');
    const result = await runCli([...base(), '--html', file]);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().endsWith(`HTML report written to ${file}`)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('gpu-reaper fleet report');
  });

  it('exits 2 with one line when the file cannot be written', async () => {
    const file = join(work, 'no-such-dir', 'fleet.html');
    const result = await runCli([...base(), '--html', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`cannot write --html ${file}: ENOENT`);
  });
});
