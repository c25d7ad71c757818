/**
 * The pass as a readable terminal table, 100 columns wide by default: one row per instance (who), what happens and
 * when, why (the reason wrapped), then a summary line. A region that could not be scanned is said in place of
 * "no instances": a failed scan never reads as an empty fleet.
 */
import Table from 'cli-table3';
import { summarize } from '../../engine';
import { instant, plural, relative } from '../../engine/format';
import type { Decision } from '../../engine/types';
import type { PassResult } from '../../pass/types';
import { idleSummary } from '../text/idle-cost';
import { cleanText } from '../text/untrusted-text';
import { TABLE_WIDTH } from './fitted-table';
import { wrapText } from './terminal-wrap';

const OUTCOME_ORDER = { act: 0, warn: 1, notify: 2, error: 3, skip: 4, keep: 5 } as const;

/** Width of the instance column: an instance id (19 characters) and the cell's padding. */
const INSTANCE_WIDTH = 21;
/** Width of the decision column: `idle 2h10m, price unknown`, `stop at Nov 29 14:57 UTC` and the padding. */
const DECISION_WIDTH = 27;
/** The reason column never gets narrower than this, whatever the terminal. */
const MIN_REASON_WIDTH = 30;

/**
 * What really happens to the instance, in a few words: a skipped or kept instance shows no `stop` even when its
 * rule planned one (a protected instance is not stopped; a capped one is held back).
 *
 * @example actionText({ outcome: 'skip', rule: 'protected', action: 'stop', actAt: null }, now) // 'none (protected)'
 */
function actionText(decision: Pick<Decision, 'outcome' | 'rule' | 'action' | 'actAt'>, now: Date): string {
  if (decision.action === null) return '-';
  if (decision.outcome === 'skip' || decision.outcome === 'keep') {
    if (decision.rule === 'capped') return `${decision.action} held back (capped)`;
    return decision.rule === 'protected' ? 'none (protected)' : '-';
  }
  if (!decision.actAt) return decision.action;
  const at = new Date(decision.actAt);
  return `${decision.action} at ${instant(at, now)} (${relative(at, now)})`;
}

/** The pass's clock as the headings write it: `2025-06-02 12:00 UTC`. */
function utcMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `region us-east-1 not scanned: <reason>` for each region that failed, one line each. */
function regionFailureLines(result: Pick<PassResult, 'regionFailures'>): string[] {
  return result.regionFailures.map(
    (failure) => `region ${failure.region} not scanned: ${cleanText(failure.message, 400)}`,
  );
}

/**
 * What happens to the instance, in short lines: `warn: idle`, the action and when (none when nothing will be
 * done), the idle time it burned.
 */
function decisionCell(decision: Decision, now: Date): string {
  const executed = decision.outcome === 'act' && decision.executed ? ' ✓' : '';
  const head = `${decision.outcome}${executed}${decision.rule ? `: ${decision.rule}` : ''}`;
  // The distance from now on a line of its own (`(in 30m)`), so the narrow column never splits it.
  const action = actionText(decision, now)
    .replace(' (in ', '\n(in ')
    .replace(/ \((\S+ ago|now)\)$/, '\n($1)');
  return [head, ...(action === '-' ? [] : [action]), idleSummary(decision.evidence)].join('\n');
}

function instanceCell(decision: Decision, withAccount: boolean): string {
  // The owner echoes a tag value: no control or bidi characters reach the admin's terminal.
  const owner = decision.owner === null ? 'owner -' : cleanText(decision.owner, 256);
  const account = withAccount ? [decision.accountId ?? 'account -'] : [];
  return [decision.instanceId, decision.instanceType, ...account, decision.region, owner].join('\n');
}

/** Options of {@link renderDecisionTable}. */
interface DecisionTableOptions {
  /** Show each instance's account and sort by it (many accounts). @default false */
  readonly accounts?: boolean;
}

/** `3 accounts, ` before the regions of a pass over many accounts. */
function accountsText(result: PassResult, withAccount: boolean): string {
  if (!withAccount) return '';
  const targets = (result as PassResult & { targets?: readonly { accountId: string }[] }).targets;
  const accounts = new Set(targets?.map((target) => target.accountId) ?? result.decisions.map((d) => d.accountId));
  return `${plural(accounts.size, 'account')}, `;
}

/**
 * Renders the decisions of a pass as a table, most urgent first (by account first, with `options.accounts`).
 *
 * @param width the terminal width; the reason column takes what the others leave @default TABLE_WIDTH (100)
 */
function renderDecisionTable(result: PassResult, width = TABLE_WIDTH, options: DecisionTableOptions = {}): string {
  const withAccount = options.accounts === true;
  const reasonWidth = Math.max(MIN_REASON_WIDTH, width - INSTANCE_WIDTH - DECISION_WIDTH - 4);
  const table = new Table({
    head: ['Instance', 'Decision', 'Reason'],
    colWidths: [INSTANCE_WIDTH, DECISION_WIDTH, reasonWidth],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  const byAccount = (a: Decision, b: Decision) =>
    withAccount ? (a.accountId ?? '').localeCompare(b.accountId ?? '') : 0;
  const sorted = [...result.decisions].sort(
    (a, b) =>
      byAccount(a, b) ||
      OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome] ||
      a.instanceId.localeCompare(b.instanceId),
  );
  for (const decision of sorted) {
    const cells = [instanceCell(decision, withAccount), decisionCell(decision, result.now)];
    table.push([...cells, cleanText(decision.reason, 4_000)]);
  }
  const s = summarize(result.decisions, result.regionFailures.length);
  // Wrapped to the width, continuation lines indented under their region.
  const failures = regionFailureLines(result).flatMap((line) =>
    wrapText(line, width - 2)
      .split('\n')
      .map((part, index) => (index === 0 ? part : `  ${part}`)),
  );
  const empty = failures.length > 0 ? [] : ['(no running GPU instances in scope)'];
  const heading = `gpu-reaper ${result.mode === 'dry-run' ? '[DRY RUN] ' : ''}pass ${result.passId} at ${utcMinute(result.now)} in ${accountsText(result, withAccount)}${result.regions.join(', ')}`;
  const counts = `scanned ${s.scanned} · kept ${s.kept} · warned ${s.warned} · acted ${s.acted} · skipped ${s.skipped} · notified ${s.notified} · errors ${s.errors}`;
  // A long list of regions or large counts wrap like every other sentence: no line past the width.
  const lines = [
    ...wrapText(heading, width).split('\n'),
    ...(result.decisions.length > 0 ? [table.toString()] : empty),
    ...failures,
    ...wrapText(counts, width).split('\n'),
  ];
  if (result.telemetryBrake) {
    // Say what the brake really did: it may be on with nothing idle to hold back.
    const held = result.decisions.filter(
      (d) =>
        d.outcome === 'skip' && (d.rule === 'idle' || d.rule === 'never-used') && d.reason.startsWith('held back:'),
    ).length;
    const what =
      held > 0 ? `${plural(held, 'idle or never-used instance')} held back` : 'nothing was idle to hold back';
    lines.push(
      ...wrapText(`GPU telemetry missing for more than half of the fleet: ${what} this pass`, width).split('\n'),
    );
  }
  if (result.capped > 0) lines.push(`${plural(result.capped, 'action')} held back by maxActionsPerPass`);
  if ((result.unmatchedSeries ?? 0) > 0) {
    const hint = "(an agent whose host name is not the instance's private DNS name, or without append_dimensions?)";
    lines.push(
      ...wrapText(`${result.unmatchedSeries} listed GPU series matched no instance ${hint}`, width).split('\n'),
    );
  }
  return lines.join('\n');
}

export type { DecisionTableOptions };
export { actionText, decisionCell, regionFailureLines, renderDecisionTable };
