/**
 * `npm run bench`: prints the benchmark's tables; only (d) asserts.
 *
 * (a) the engine deciding for 10,000 instances × 8 GPUs × 60 minutes: per-GPU samples merged per minute as the
 *     CloudWatch adapter does, then `decideFleet`; time (median of a few runs) and peak memory.
 * (b) AWS calls per operation of one `plan` pass and one `run` pass (dry-run, table and topic) over 2,000 GPU
 *     instances in moto, beside a per-instance baseline (one GetMetricStatistics per instance) on the same fleet.
 * (c) the reaper's own monthly AWS cost for 100 / 1,000 / 10,000 GPU instances, from the calls counted in (b).
 * (d) the read schedule replayed against reading every pass (steady fleet, then telemetry outages under idle and
 *     no-telemetry on and off), printed after (a); the one part that asserts: any difference exits 1.
 *
 * (g) the fleet audit of `report` for 10,000 instances × 7 days through the real reader and aggregator, against an
 *     in-process fake CloudWatch and EC2 answering a seeded synthetic history: peak RSS, wall time, calls, metrics
 *     requested and their price, beside the targets (under 1 GiB, under 5 minutes). It takes well under a minute, so
 *     the full bench includes it, printed after (d), in a process of its own (its peak RSS would otherwise hold the
 *     engine's); `--no-fleet-audit` leaves it out.
 *
 * Run: npm run bench [-- --instances 2000 --engine-instances 10000 --runs 5 --no-run --no-moto --no-fleet-audit]
 *
 * With `--accounts` (`npm run bench:accounts [-- --accounts 100 --regions 4 --gpu-percent 5]`) it prints only the
 * accounts benchmark: many small accounts in moto (GPU instances in `--gpu-percent` of the targets), one dispatcher
 * tick and one worker pass per target (account × region), then one simulated hour of ticks with quiet targets left
 * out, a launch that wakes one, and the monthly overhead at 17,000 targets sized from the measured ratio.
 *
 * With `--fleet-audit-only` (`npm run bench -- --fleet-audit-only [--single-gpu 7000 --four-gpu 3000 --days 7]`) it
 * prints only (g).
 *
 * With `--slow-reads` (`npm run bench:slow-reads [-- --slow-instances 300 --moto-instances 400]`) it prints only the
 * slow-reads benchmark: (e) a `plan` through a CloudWatch that answers GetMetricData 0.5 s a query beyond 50 (every
 * instance decided, calls, splits, wall time), (f) a `plan` on plain moto beside the per-instance baseline.
 */

import { spawnSync } from 'node:child_process';
import { localAwsEnv, startMotoServer } from '../shared/local/moto-server';
import { benchAccounts } from './bench/accounts-bench';
import { accountsTables } from './bench/accounts-print';
import { assumptionLines, baselineCloudWatchCost } from './bench/cost-model';
import { benchEngine } from './bench/engine-bench';
import { benchFleetAudit } from './bench/fleet-audit-bench';
import { fleetAuditLines } from './bench/fleet-audit-print';
import { benchFloor } from './bench/floor-print';
import { seedBenchFleet } from './bench/moto-fleet';
import { seedOrgFleet } from './bench/org-fleet';
import { benchPasses } from './bench/pass-bench';
import { callsTable, costTable, engineTable, hostMetricsLine } from './bench/print';
import { benchQuietTargets } from './bench/quiet-bench';
import { quietTables } from './bench/quiet-print';
import { benchMotoWall, benchSlowEndpoint, motoWallLines, slowEndpointLines } from './bench/slow-reads';

const REGION = 'us-east-1';
/** The regions of the accounts benchmark, the first `--regions` of them. */
const ACCOUNT_REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-1'] as const;
const COST_SIZES = [100, 1_000, 10_000] as const;

function flag(name: string, fallback: number): number {
  const index = process.argv.lastIndexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const has = (name: string) => process.argv.includes(`--${name}`);
const say = (text: string) => process.stdout.write(`${text}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `--accounts`: many small accounts in moto, a tick and one worker pass per target. */
async function mainAccounts(started: number): Promise<void> {
  const accounts = flag('accounts', 50);
  const regions = ACCOUNT_REGIONS.slice(0, Math.min(flag('regions', 2), ACCOUNT_REGIONS.length));
  say(`gpu-reaper accounts benchmark — Node ${process.version}, ${process.arch}, ${new Date().toISOString()}\n`);
  const moto = await startMotoServer();
  try {
    Object.assign(process.env, localAwsEnv(moto.endpoint, REGION));
    const gpuShare = flag('gpu-percent', 5) / 100;
    const fleet = await seedOrgFleet({ accounts, regions, homeRegion: REGION, gpuShare });
    const before = await benchAccounts(fleet, REGION);
    say(accountsTables(fleet, before));
    say('');
    say(quietTables(before, await benchQuietTargets(fleet, REGION)));
    say('\nmoto is not AWS: wall times are moto’s (one Python process), call counts are the code’s own.');
  } finally {
    await moto.stop();
  }
  say(`\nbench done in ${seconds(Date.now() - started)}`);
}

/** `--slow-reads`: a plan through a slow CloudWatch, then on plain moto beside the per-instance baseline. */
async function mainSlowReads(started: number): Promise<void> {
  say(`gpu-reaper slow-reads benchmark — Node ${process.version}, ${process.arch}, ${new Date().toISOString()}\n`);
  const moto = await startMotoServer();
  try {
    Object.assign(process.env, localAwsEnv(moto.endpoint, REGION));
    const slowInstances = flag('slow-instances', 300);
    const slowFleet = await seedBenchFleet(REGION, slowInstances, Math.round(slowInstances / 2));
    for (const line of slowEndpointLines(await benchSlowEndpoint(slowFleet))) say(line);
    await moto.reset();
    const motoInstances = flag('moto-instances', 400);
    const motoFleet = await seedBenchFleet(REGION, motoInstances, Math.round(motoInstances / 2));
    say('');
    for (const line of motoWallLines(await benchMotoWall(motoFleet))) say(line);
    say('\nmoto is not AWS: wall times are moto’s (one Python process), call counts are the code’s own.');
  } finally {
    await moto.stop();
  }
  say(`\nbench done in ${seconds(Date.now() - started)}`);
}

/** (g): the fleet audit of a large fleet and a week against the in-process fake CloudWatch. */
async function fleetAuditPart(): Promise<void> {
  const shape = { singleGpu: flag('single-gpu', 7_000), fourGpu: flag('four-gpu', 3_000), days: flag('days', 7) };
  for (const line of fleetAuditLines(await benchFleetAudit(shape))) say(line);
}

/** `--fleet-audit-only`: (g) alone, so its peak RSS is its own. */
async function mainFleetAudit(started: number): Promise<void> {
  say(`gpu-reaper fleet audit benchmark — Node ${process.version}, ${process.arch}, ${new Date().toISOString()}\n`);
  await fleetAuditPart();
  say(`\nbench done in ${seconds(Date.now() - started)}`);
}

/** (g) within the full bench: a child process of its own (same flags), printing only the part. */
function fleetAuditInChild(): void {
  const args = [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), '--fleet-audit-only', '--part-only'];
  const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (child.status !== 0) throw new Error(`the fleet audit bench exited with ${child.status ?? child.signal}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  // The SDK's notice about its Node.js floor is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (has('accounts')) return mainAccounts(started);
  if (has('fleet-audit-only')) return has('part-only') ? fleetAuditPart() : mainFleetAudit(started);
  if (has('slow-reads')) return mainSlowReads(started);
  const engineInstances = flag('engine-instances', 10_000);
  const runs = flag('runs', 5);
  say(`gpu-reaper benchmark — Node ${process.version}, ${process.arch}, ${new Date().toISOString()}\n`);

  say('(a) engine');
  const engine = benchEngine({ instances: engineInstances, gpus: 8, minutes: 60, now: new Date() }, runs);
  say(engineTable(engine));
  say(
    `peak RSS, ${engineInstances} instances x 8 GPUs, per-GPU series only: ${engine.maxRssMiB.toFixed(0)} MiB ` +
      `(engine time ${seconds(engine.decideMs)} for decideFleet, median)`,
  );
  say(`first run's generate + merge: ${seconds(engine.buildMs)}\n`);

  const floorShape = { instances: flag('floor-instances', 150), days: flag('floor-days', 14) };
  // The read schedule is only allowed if it decides exactly as reading every pass: a difference fails the bench.
  const { failed, readShare } = benchFloor(floorShape, say);
  if (failed) process.exitCode = 1;
  if (!has('no-fleet-audit')) {
    fleetAuditInChild();
    say('');
  }
  if (has('no-moto')) return;

  const instances = flag('instances', 2_000);
  const idle = Math.max(1, Math.round(instances / 200));
  say(`(b) one pass over ${instances.toLocaleString('en-US')} GPU instances in moto`);
  const moto = await startMotoServer();
  try {
    Object.assign(process.env, localAwsEnv(moto.endpoint, REGION));
    const fleet = await seedBenchFleet(REGION, instances, idle);
    say(
      `seeded in ${seconds(fleet.seedMs)}: ${fleet.gpuIds.length} g5.xlarge in ${fleet.reservations} reservation(s) ` +
        `of ≤ 500 (one DescribeInstances page: moto pages by reservation) + ${fleet.nonGpu} t3.medium; one ` +
        `[InstanceId] rollup series each, ${fleet.idleIds.length} idle for 50 min (half on a busy host), the rest ` +
        'busy; pass clock = launch + 2h (all older than the 1h look-back); default config.',
    );
    const { plan, planHostOff, run, baseline } = await benchPasses(fleet, !has('no-run'));
    say(callsTable(plan, run, baseline));
    say(hostMetricsLine(plan, planHostOff));
    say(
      'plan and run: instance types cached after the first pass (as in a warm Lambda container); moto wall times ' +
        'reflect moto, not AWS.\n',
    );

    const measured = run ?? plan;
    say(`(c) the reaper's own AWS cost per month, from the ${run ? 'run' : 'plan'} pass measured in (b)`);
    say(costTable(measured, COST_SIZES, baselineCloudWatchCost(COST_SIZES), readShare));
    for (const line of assumptionLines(measured, readShare)) say(line);
  } finally {
    await moto.stop();
  }
  say(`\nbench done in ${seconds(Date.now() - started)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
