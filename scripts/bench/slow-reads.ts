/**
 * `npm run bench -- --slow-reads`: what a slow CloudWatch costs a pass. (e) one `plan` over a moto fleet (half idle,
 * one rollup series each) through a fault injector that holds every GetMetricData call 0.5 s for each query beyond
 * 50, so a 500-query call needs 225 s and times out: every instance must still be decided, by calls split small
 * enough to answer in time. (f) the same pass on plain moto beside the per-instance baseline (one
 * GetMetricStatistics per instance, as in (b)), wall time against wall time.
 */
import { CallCounter } from '../../shared/adapters/aws/call-counter';
import { parseConfig } from '../../shared/config';
import type { Decision } from '../../shared/engine';
import { delayPerQuery, FaultInjector } from '../../shared/local/fault-injector';
import { composeRegions } from '../../shared/pass/compose';
import { planPass } from '../../shared/pass/plan-pass';
import type { BenchFleet } from './moto-fleet';
import { baselineMeasure } from './pass-bench';

/** The slow endpoint's price: this many ms a query beyond the free ones. */
const SLOW_MS_PER_QUERY = 500;
const FREE_QUERIES = 50;

/** One `plan` pass of the slow-reads benchmark. */
interface SlowPlan {
  readonly instances: number;
  readonly idle: number;
  /** Decisions by outcome. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Idle instances the pass flagged (warned by `idle`, or told by host activity). */
  readonly flaggedIdle: number;
  readonly errors: number;
  /** GetMetricData calls answered, calls that timed out (injected delays that fired), splits. */
  readonly calls: number;
  readonly timedOut: number;
  readonly splits: number;
  readonly wallMs: number;
  readonly errorReasons: readonly string[];
}

function tally(decisions: readonly Decision[]): Record<string, number> {
  const outcomes: Record<string, number> = {};
  for (const decision of decisions) outcomes[decision.outcome] = (outcomes[decision.outcome] ?? 0) + 1;
  return outcomes;
}

/** One `plan` over `fleet`, composed as `gpu-reaper plan` composes it; `slow` puts the slow endpoint in front. */
async function slowPlan(fleet: BenchFleet, slow: boolean): Promise<SlowPlan> {
  const config = parseConfig({ regions: [fleet.region] });
  const counter = new CallCounter();
  const faults = new FaultInjector(
    slow
      ? [{ operation: 'GetMetricData', fault: 'slow', delayMs: delayPerQuery(SLOW_MS_PER_QUERY, FREE_QUERIES) }]
      : [],
  );
  const edges = { config, regions: [fleet.region], homeRegion: fleet.region, table: null, topicArn: null };
  const { readers } = composeRegions({ ...edges, counter, clients: { layers: [faults] } });
  const started = performance.now();
  const result = await planPass({ config, now: fleet.now, readers });
  const wallMs = performance.now() - started;
  const idle = new Set(fleet.idleIds);
  const errors = result.decisions.filter((decision) => decision.outcome === 'error');
  const calls = counter.snapshot()['CloudWatch:GetMetricData'];
  return {
    instances: result.decisions.length,
    idle: idle.size,
    outcomes: tally(result.decisions),
    flaggedIdle: result.decisions.filter(
      (decision) => idle.has(decision.instanceId) && (decision.outcome === 'warn' || decision.outcome === 'notify'),
    ).length,
    errors: errors.length,
    calls: (calls?.calls ?? 0) - (calls?.errors ?? 0),
    timedOut: calls?.errors ?? 0,
    splits: result.telemetrySplits ?? 0,
    wallMs,
    errorReasons: [...new Set(errors.map((decision) => decision.reason))].slice(0, 3),
  };
}

/** (e): the pass through the slow endpoint. */
function benchSlowEndpoint(fleet: BenchFleet): Promise<SlowPlan> {
  return slowPlan(fleet, true);
}

/** (f): the pass on plain moto, then the per-instance baseline on the same fleet. */
async function benchMotoWall(fleet: BenchFleet): Promise<{ plan: SlowPlan; baselineMs: number }> {
  const plan = await slowPlan(fleet, false);
  const baseline = await baselineMeasure(parseConfig({ regions: [fleet.region] }), fleet);
  return { plan, baselineMs: baseline.wallMs };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const outcomeText = (outcomes: Readonly<Record<string, number>>) =>
  Object.entries(outcomes)
    .map(([outcome, count]) => `${outcome} ${count}`)
    .join(', ');

/** The line of (e). */
function slowEndpointLines(result: SlowPlan): string[] {
  return [
    `(e) plan through a slow CloudWatch (GetMetricData held ${SLOW_MS_PER_QUERY / 1000} s a query beyond ` +
      `${FREE_QUERIES}: a 500-query call would need ${seconds((500 - FREE_QUERIES) * SLOW_MS_PER_QUERY)})`,
    `    ${result.instances} instances decided (${outcomeText(result.outcomes)}); error decisions: ${result.errors}; ` +
      `idle flagged ${result.flaggedIdle} of ${result.idle}`,
    `    GetMetricData: ${result.calls} calls answered, ${result.timedOut} timed out and split at once, ` +
      `${result.splits} splits; wall time ${seconds(result.wallMs)}`,
    ...result.errorReasons.map((reason) => `    error: ${reason}`),
  ];
}

/** The lines of (f). */
function motoWallLines(result: { plan: SlowPlan; baselineMs: number }): string[] {
  const { plan, baselineMs } = result;
  return [
    `(f) plan on plain moto beside the per-instance baseline (one GetMetricStatistics per instance, 4 at a time)`,
    `    plan: ${plan.instances} decided (${outcomeText(plan.outcomes)}), idle flagged ${plan.flaggedIdle} of ` +
      `${plan.idle}, ${plan.calls} GetMetricData calls, ${plan.timedOut} timed out, ${plan.splits} splits, ` +
      `${seconds(plan.wallMs)}`,
    `    baseline: ${seconds(baselineMs)}; plan / baseline = ${(plan.wallMs / baselineMs).toFixed(2)}× ` +
      "(moto's cost is per query whatever the batching: 1.0× is its floor)",
  ];
}

export type { SlowPlan };
export { benchMotoWall, benchSlowEndpoint, motoWallLines, slowEndpointLines };
