/**
 * Budgets in a pass (docs/cost-gating.md, "Budgets"): each pass counts every scanned running instance's spend since
 * its previous pass into its team's month total (once, whatever retries or overlaps), gives every instance its
 * team's standing (a team over budget needs approval for every run), and tells admins and the team's owners once a
 * month when a team reaches `warnAt` and when it goes over.
 */
import type { Config } from '../config';
import type { BudgetLedger, EventPublisher } from '../core/ports';
import type { BudgetStanding, Decision, InstanceInput } from '../engine';
import { budgetLevel, monthOf, spendEntries, standingsOf, teamOf } from '../engine/budget';
import { scheduleIntervalMs } from '../engine/replay/schedule';
import { formatUsd } from '../render/text/money';
import { buildEvent, type PassStamp } from './event-builder';
import type { Recorder } from './recorder';

type OnProblem = (message: string, error: unknown) => void;

/**
 * Counts this pass's spend (`count`, a `run`) or only reads the totals (`read`, a `plan`), and returns each
 * budgeted team's standing. A ledger that fails costs the budgets of this pass (reported), never the pass.
 */
async function budgetStandings(
  inputs: readonly InstanceInput[],
  config: Config,
  now: Date,
  ledger: BudgetLedger | undefined,
  mode: 'count' | 'read',
  onProblem: OnProblem,
): Promise<Map<string, BudgetStanding>> {
  const budgets = config.budgets;
  if (budgets === null || ledger === undefined) return new Map();
  const month = monthOf(now);
  try {
    if (mode === 'count') {
      const marks = await ledger.loadMarks(inputs.map((input) => input.instance.instanceId));
      const entries = spendEntries(inputs, marks, config, now, scheduleIntervalMs(config.schedule));
      await ledger.add(entries, month);
    }
    const totals = await ledger.loadTotals(month);
    return standingsOf(
      totals,
      config,
      inputs.map((input) => teamOf(input.instance, budgets.tag)),
    );
  } catch (error) {
    onProblem('counting the budgets failed; no budget applies this pass', error);
    return new Map();
  }
}

/** Each instance with its team's standing (`null` for a team without a budget). */
function withBudgets<T extends InstanceInput>(
  inputs: readonly T[],
  standings: ReadonlyMap<string, BudgetStanding>,
  config: Config,
): T[] {
  const budgets = config.budgets;
  if (budgets === null) return [...inputs];
  return inputs.map((input) => ({ ...input, budget: standings.get(teamOf(input.instance, budgets.tag)) ?? null }));
}

/** A decision's evidence without what the gate added: a budget notice is about the team, not one run's gate. */
function withoutGate(evidence: Decision['evidence']): Decision['evidence'] {
  const { projectedUsd, hourlyUsd, allowedRuntime, approvalThresholdUsd, approvers, overBudget, ...rest } = evidence;
  void [projectedUsd, hourlyUsd, allowedRuntime, approvalThresholdUsd, approvers, overBudget];
  return rest as Decision['evidence'];
}

/** What a budget notice says, for the team's owners and for admins. */
function budgetSentence(standing: BudgetStanding, level: 'warn' | 'over', warnAt: number): string {
  const share = Math.round((standing.monthUsd / standing.budgetUsd) * 100);
  const spent = `team ${JSON.stringify(standing.team)} has spent ${formatUsd(standing.monthUsd)} of its ${formatUsd(standing.budgetUsd)} monthly GPU budget this month (${share}%)`;
  return level === 'over'
    ? `${spent}: it is over budget, so every GPU run of the team needs an approver's approval until the month ends (UTC)`
    : `${spent}, past the ${Math.round(warnAt * 100)}% warning share (budgets.warnAt); at 100% every run of the team needs approval`;
}

/**
 * Tells each team that reached a level this month, once: one `NOTIFIED` (rule `budget`) per owner of the team's
 * instances in this pass, and one admin notice.
 */
async function tellBudgets(options: {
  readonly standings: ReadonlyMap<string, BudgetStanding>;
  readonly decisions: readonly Decision[];
  readonly inputs: ReadonlyMap<string, InstanceInput>;
  readonly config: Config;
  readonly ledger: BudgetLedger | undefined;
  readonly recorder: Recorder;
  readonly publisher: EventPublisher;
  readonly stamp: PassStamp;
  readonly ttlSeconds: number;
  readonly onProblem: OnProblem;
}): Promise<void> {
  const { standings, config, ledger, recorder, stamp } = options;
  const budgets = config.budgets;
  if (budgets === null || ledger === undefined) return;
  const month = monthOf(stamp.now);
  for (const standing of standings.values()) {
    const level = budgetLevel(standing, budgets.warnAt);
    if (level === 'under') continue;
    try {
      // Going straight over: the warning share is passed too, and never told separately afterwards.
      if (level === 'over') await ledger.claimNotice(month, standing.team, 'warn');
      if (!(await ledger.claimNotice(month, standing.team, level))) continue;
    } catch (error) {
      options.onProblem(`claiming the budget notice of team ${standing.team} failed`, error);
      continue;
    }
    const sentence = budgetSentence(standing, level, budgets.warnAt);
    const team = options.decisions.filter((decision) => {
      const input = options.inputs.get(decision.instanceId);
      return input !== undefined && teamOf(input.instance, budgets.tag) === standing.team;
    });
    // One message per owner: the first of their instances in this team names it.
    const byOwner = new Map<string, Decision>();
    for (const decision of team) if (!byOwner.has(decision.owner ?? '')) byOwner.set(decision.owner ?? '', decision);
    for (const decision of byOwner.values()) {
      const notice: Decision = {
        ...decision,
        outcome: 'notify',
        rule: 'budget',
        action: 'notify',
        actAt: null,
        reason: sentence,
        evidence: {
          ...withoutGate(decision.evidence),
          team: standing.team,
          monthUsd: Math.round(standing.monthUsd * 100) / 100,
          budgetUsd: standing.budgetUsd,
          share: standing.monthUsd / standing.budgetUsd,
          budgetLevel: level,
          teamInstances: team.filter((d) => d.owner === decision.owner).map((d) => d.instanceId),
        },
      };
      const key = `budget:${month}:${standing.team}:${level}`;
      const change = { kind: 'notice', instanceId: decision.instanceId, key, ttlSeconds: options.ttlSeconds } as const;
      await recorder
        .record(change, buildEvent(stamp, notice, 'NOTIFIED', { key }))
        .catch((error) => options.onProblem(`recording the budget notice of team ${standing.team} failed`, error));
    }
    const prefix = config.mode === 'dry-run' ? '[gpu-reaper][DRY RUN]' : '[gpu-reaper]';
    const subject =
      level === 'over'
        ? `${prefix} team ${standing.team} is over its monthly GPU budget`
        : `${prefix} team ${standing.team} at ${Math.round((standing.monthUsd / standing.budgetUsd) * 100)}% of its monthly GPU budget`;
    await options.publisher
      .publishAdmin?.(subject, `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`)
      .catch((error) => options.onProblem('admin budget notice failed', error));
  }
}

export { budgetSentence, budgetStandings, tellBudgets, withBudgets };
