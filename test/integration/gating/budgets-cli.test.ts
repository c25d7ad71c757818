/**
 * Budgets as an admin runs them, `gpu-reaper run --json` against moto: each pass adds every running instance's
 * spend since its previous pass (at most one 5-minute period) to its team's month total in the state table, exactly
 * once whether the pass is retried or two run at once; at `warnAt` admins and the team's owners are told once; over
 * budget every run of the team needs approval (the gate with a threshold of 0).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { DynamoBudgetLedger } from '../../../shared/adapters/dynamodb/budget-ledger';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { reaperResources } from '../../helpers/reaper-resources';

const moto = useMoto({ threaded: true });
const MIN = 60_000;
/** The bundled on-demand price of a p4d.24xlarge: 5 minutes of it cost $1.8298. */
const P4D = 21.9576;
const FIVE_MINUTES_USD = (P4D * 5) / 60;

interface Decision {
  instanceId: string;
  outcome: string;
  rule: string | null;
  reason: string;
  evidence: Record<string, unknown>;
}

const dir = mkdtempSync(join(tmpdir(), 'reaper-budgets-'));
const CONFIG = join(dir, 'budgets.json');
writeFileSync(
  CONFIG,
  JSON.stringify({ mode: 'dry-run', budgets: { tag: 'Team', monthlyUsd: { research: 6, '*': 1000 }, warnAt: 0.5 } }),
);

describe('budgets through the CLI', () => {
  let fx: Awaited<ReturnType<typeof reaperResources>>;
  let ledger: DynamoBudgetLedger;
  beforeEach(async () => {
    await moto.reset();
    fx = await reaperResources(moto.region, 'budgets');
    const client = DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(moto.region)));
    ledger = new DynamoBudgetLedger(client, fx.table);
  });

  /** Two busy p4d.24xlarge of team research (owners ana and bo) and one of team vision; the clock from launch. */
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
    return { ids, at: (m: number) => new Date(launched + m * MIN + 20_000) };
  }

  const args = (now: Date) => [
    'run',
    '--json',
    '--now',
    now.toISOString(),
    '--region',
    moto.region,
    '--table',
    fx.table,
    '--config',
    CONFIG,
  ];

  async function run(now: Date) {
    const result = await runCli(args(now));
    expect(result.stderr).toBe('');
    return (JSON.parse(result.stdout) as { decisions: Decision[] }).decisions;
  }

  const month = (now: Date) => now.toISOString().slice(0, 7);
  const totals = async (now: Date) => Object.fromEntries(await ledger.loadTotals(month(now)));

  it('adds each pass once, tells at warnAt once, and gates every run of a team over budget', async () => {
    const { ids, at } = await fleet();
    // First pass: 5 minutes of each (the first count is at most one period) → research $3.66 of $6 (61% ≥ 50%).
    const first = await run(at(30));
    expect(first.map((decision) => decision.outcome)).toEqual(['keep', 'keep', 'keep']);
    expect((await totals(at(30))).research).toBeCloseTo(2 * FIVE_MINUTES_USD, 2);
    expect((await totals(at(30))).vision).toBeCloseTo(FIVE_MINUTES_USD, 2);
    const notices = async () =>
      (await Promise.all(ids.map((id) => fx.audit.byInstance(id))))
        .flat()
        .filter((item) => item.event === 'NOTIFIED' && item.rule === 'budget');
    expect((await notices()).map((item) => item.owner).sort()).toEqual(['ana@example.com', 'bo@example.com']);
    expect((await notices())[0]!.reason).toContain('team "research" has spent $3.66 of its $6.00 monthly GPU budget');

    // A retry of the same pass adds nothing and tells nobody again.
    await run(at(30));
    expect((await totals(at(30))).research).toBeCloseTo(2 * FIVE_MINUTES_USD, 2);
    expect(await notices()).toHaveLength(2);

    // Five minutes on: research $7.32 ≥ $6 → over budget; its runs need approval, vision's do not.
    const over = await run(at(35));
    expect((await totals(at(35))).research).toBeCloseTo(4 * FIVE_MINUTES_USD, 2);
    const byId = new Map(over.map((decision) => [decision.instanceId, decision]));
    expect(byId.get(ids[0]!)).toMatchObject({ outcome: 'warn', rule: 'unapproved' });
    expect(byId.get(ids[0]!)!.reason).toContain('team "research" is over its $6.00 monthly budget');
    expect(byId.get(ids[1]!)).toMatchObject({ outcome: 'warn', rule: 'unapproved' });
    expect(byId.get(ids[2]!)).toMatchObject({ outcome: 'keep' });
    expect((await notices()).filter((item) => item.evidence?.budgetLevel === 'over')).toHaveLength(2);
  });

  it('counts two passes run at once a single time', async () => {
    const { at } = await fleet();
    await run(at(30));
    const [a, b] = await Promise.all([runCli(args(at(35))), runCli(args(at(35)))]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect((await totals(at(35))).vision).toBeCloseTo(2 * FIVE_MINUTES_USD, 2);
    expect((await totals(at(35))).research).toBeCloseTo(4 * FIVE_MINUTES_USD, 2);
  });
});
