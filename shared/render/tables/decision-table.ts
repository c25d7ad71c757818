/**
 * The pass as a readable terminal table: one row per instance, the reason wrapped, a summary line under it.
 */
import Table from 'cli-table3';
import { summarize } from '../../engine';
import type { PassResult } from '../../pass/types';
import { idleSummary } from '../text/idle-cost';
import { cleanText } from '../text/untrusted-text';

const OUTCOME_ORDER = { act: 0, warn: 1, notify: 2, error: 3, skip: 4, keep: 5 } as const;

function shortTime(iso: string | null, now: Date): string {
  if (!iso) return '';
  const at = new Date(iso);
  const minutes = Math.round((at.getTime() - now.getTime()) / 60_000);
  const when = iso.replace(/:\d{2}\.\d{3}Z$/, 'Z').replace('T', ' ');
  if (minutes === 0) return `${when} (now)`;
  return minutes > 0 ? `${when} (in ${minutes}m)` : `${when} (${-minutes}m ago)`;
}

/**
 * Renders the decisions of a pass as a table, most urgent first.
 *
 * @param width the terminal width; the reason column takes what is left
 */
function renderDecisionTable(result: PassResult, width = 160): string {
  const reasonWidth = Math.max(30, width - 128);
  const table = new Table({
    head: ['Instance', 'Region', 'Type', 'Owner', 'Outcome', 'Rule', 'Action', 'Act at', 'Idle (burned)', 'Reason'],
    colWidths: [21, 11, 13, 16, 9, 18, 10, 24, 18, reasonWidth],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [] },
  });
  const sorted = [...result.decisions].sort(
    (a, b) => OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome] || a.instanceId.localeCompare(b.instanceId),
  );
  for (const decision of sorted) {
    const executed = decision.outcome === 'act' && decision.executed ? ' ✓' : '';
    table.push([
      decision.instanceId,
      decision.region,
      decision.instanceType,
      // Owner and reason echo tag values: no control or bidi characters reach the admin's terminal.
      decision.owner === null ? '-' : cleanText(decision.owner, 256),
      decision.outcome + executed,
      decision.rule ?? '',
      decision.action ?? '',
      shortTime(decision.actAt, result.now),
      idleSummary(decision.evidence),
      cleanText(decision.reason, 4_000),
    ]);
  }
  const s = summarize(result.decisions);
  const lines = [
    `gpu-reaper ${result.mode === 'dry-run' ? '[DRY RUN] ' : ''}pass ${result.passId} at ${result.now.toISOString()} in ${result.regions.join(', ')}`,
    result.decisions.length > 0 ? table.toString() : '(no running GPU instances in scope)',
    `scanned ${s.scanned} · kept ${s.kept} · warned ${s.warned} · acted ${s.acted} · skipped ${s.skipped} · notified ${s.notified} · errors ${s.errors}`,
  ];
  for (const failure of result.regionFailures) lines.push(`region ${failure.region} not scanned: ${failure.message}`);
  if (result.telemetryBrake) {
    lines.push('GPU telemetry missing for more than half of the fleet: idle and never-used held back this pass');
  }
  if (result.capped > 0) lines.push(`${result.capped} action(s) held back by maxActionsPerPass`);
  return lines.join('\n');
}

export { renderDecisionTable };
