/**
 * Budgets in `gpu-reaper report` as an admin reads them (the real bin against moto): after two `run` passes have
 * counted the spend of two teams, `report --json` gives each team's spend of the month, its budget and its share,
 * and the table prints the same under "Budgets this month".
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

const moto = useMoto({ threaded: true });
const MIN = 60_000;
/** The bundled on-demand price of a p4d.24xlarge, $/h. */
const P4D = 21.9576;
const cents = (usd: number) => Math.round(usd * 100) / 100;

const dir = mkdtempSync(join(tmpdir(), 'reaper-budgets-report-'));
const CONFIG = join(dir, 'budgets.json');
writeFileSync(
  CONFIG,
  JSON.stringify({
    mode: 'dry-run',
    budgets: { tag: 'Team', monthlyUsd: { research: 5, ops: 50, '*': 100 }, warnAt: 0.5 },
  }),
);

describe('budgets in gpu-reaper report', () => {
  let fx: Awaited<ReturnType<typeof reaperResources>>;
  beforeEach(async () => {
    await moto.reset();
    fx = await reaperResources(moto.region, 'budgets-report');
  });

  /** Two busy p4d.24xlarge of team research and one of team vision; the clock counted from their launch. */
  async function fleet() {
    const ids: string[] = [];
    for (const [team, owner] of [
      ['research', 'ana@example.com'],
      ['research', 'bo@example.com'],
      ['vision', 'cy@example.com'],
    ]) {
      const [id] = await launchInstances(fx.ec2, {
        instanceType: 'p4d.24xlarge',
        tags: { Team: team!, Owner: owner! },
      });
      ids.push(id!);
    }
    const described = await fx.ec2.send(new DescribeInstancesCommand({ InstanceIds: [ids[0]!] }));
    const launched = described.Reservations![0]!.Instances![0]!.LaunchTime!.getTime();
    for (const id of ids) await putGpuSeries(fx.cloudwatch, id, minutes(Math.floor(launched / MIN) * MIN, 120, 80));
    return (m: number) => new Date(launched + m * MIN + 20_000);
  }

  /** Runs `verb` at `now` on the test's table and config; it must succeed and print nothing on stderr. */
  async function cli(verb: 'run' | 'report', now: Date, ...extra: string[]) {
    const where = ['--region', moto.region, '--table', fx.table, '--config', CONFIG];
    const result = await runCli([verb, ...extra, '--now', now.toISOString(), ...where]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  }

  it('gives each team its spend of the month, its budget and its share, the highest share first', async () => {
    const at = await fleet();
    await cli('run', at(30), '--json');
    await cli('run', at(33), '--json');

    // By hand: the first pass counts 5 minutes of each instance, the second the 3 minutes since the first:
    // 8 minutes of a p4d.24xlarge = $2.92768, research has two of them, vision one.
    const perInstance = (P4D * (5 + 3)) / 60;
    expect(cents(2 * perInstance)).toBe(5.86);
    expect(cents(perInstance)).toBe(2.93);
    const report = JSON.parse(await cli('report', at(34), '--json', '--since', '1d'));
    expect(report.budgets).toEqual([
      { team: 'research', monthUsd: 5.86, budgetUsd: 5, share: 1.172 },
      { team: 'vision', monthUsd: 2.93, budgetUsd: 100, share: 0.0293 },
      // Named in monthlyUsd: listed at $0 though it ran nothing.
      { team: 'ops', monthUsd: 0, budgetUsd: 50, share: 0 },
    ]);

    const month = at(34).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    const table = await cli('report', at(34), '--since', '1d');
    expect(table).toContain(`Budgets this month (${month}): 3 teams, 1 over budget`);
    expect(table).toMatch(/research\s*│\s*\$5\.86\s*│\s*\$5\.00\s*│\s*117%\s*│\s*over\s*│/);
    expect(table).toMatch(/vision\s*│\s*\$2\.93\s*│\s*\$100\.00\s*│\s*3%\s*│\s*│/);
    expect(table).toMatch(/ops\s*│\s*\$0\.00\s*│\s*\$50\.00\s*│\s*0%\s*│\s*│/);
  });
});
