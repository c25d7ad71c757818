/**
 * The fleet audit in sentences: the headline the report's table and the weekly digest open with ("$12,345.67 on
 * GPUs over 7 days: 39% below 5% utilization; 293 of 510 instances never used") and the digest's summary lines.
 * Money with thousands separators, shares as whole percents, plurals right; tag values cleaned.
 */
import { decimal, plural, share } from '../../engine/format';
import type { FleetAudit, FleetGroup, FleetRun } from '../../report/fleet-audit-types';
import { formatUsd } from '../text/money';
import { cleanText } from '../text/untrusted-text';

/** Groups, runs and suggestions named in a sentence; the rest are counted. */
const IN_A_SENTENCE = 3;
/** A run busy less than this share of its measured minutes is an idle run. */
const IDLE_RUN_SHARE = 0.5;
const DAY_MS = 86_400_000;

/** `39% below 5% utilization`, or `nothing spent` when the period cost nothing. */
function belowShare(spendUsd: number, below5Usd: number): string {
  return spendUsd > 0 ? `${share(below5Usd / spendUsd)} below 5% utilization` : 'nothing spent';
}

/** The period as people read it: `7 days`, `1.5 days`, and under a day in hours or minutes (`6 hours`, `45 minutes`). */
function periodDays(fleet: FleetAudit): string {
  const ms = Date.parse(fleet.to) - Date.parse(fleet.from);
  if (ms >= DAY_MS) return plural(Number(decimal(ms / DAY_MS)), 'day');
  if (ms >= 3_600_000) return plural(Number(decimal(ms / 3_600_000)), 'hour');
  return plural(Math.round(ms / 60_000), 'minute');
}

/**
 * The headline: spend, the share below 5%, never used.
 *
 * @example fleetHeadline(fleet) // '$12,345.67 on GPUs over 7 days: 39% below 5% utilization; 293 of 510 instances never used'
 */
function fleetHeadline(fleet: FleetAudit): string {
  return (
    `${formatUsd(fleet.spendUsd)} on GPUs over ${periodDays(fleet)}: ` +
    `${belowShare(fleet.spendUsd, fleet.spendByBand.below5)}; ` +
    `${fleet.neverUsed} of ${plural(fleet.instances, 'instance')} never used`
  );
}

/** The total weekly saving of the right-sizing suggestions. */
function rightSizingTotal(fleet: FleetAudit): number {
  return Math.round(fleet.rightSizing.reduce((sum, entry) => sum + entry.weeklySavingUsd, 0) * 100) / 100;
}

/** `research $1,234.00 (40% below 5%)`. */
function groupPhrase([value, group]: readonly [string, FleetGroup]): string {
  const below = group.spendUsd > 0 ? ` (${share(group.spendByBand.below5 / group.spendUsd)} below 5%)` : '';
  return `${cleanText(value, 60)} ${formatUsd(group.spendUsd)}${below}`;
}

/** `i-0abc… (g5.12xlarge, alice@x.io) $812.40, 3% busy`. */
function runPhrase(run: FleetRun): string {
  const owner = run.owner === null ? '' : `, ${cleanText(run.owner, 60)}`;
  return `${cleanText(run.instanceId, 40)} (${cleanText(run.instanceType, 24)}${owner}) ${formatUsd(run.spendUsd)}, ${share(run.busyShare)} busy`;
}

const more = (count: number) => (count > 0 ? ` and ${count} more` : '');

/** `by team research $…, vision $…` for the first `report.groupBy` key (the digest's "by team"). */
function byGroupPhrase(fleet: FleetAudit): string | null {
  const [key, values] = Object.entries(fleet.groups)[0] ?? [];
  if (key === undefined || values === undefined) return null;
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  const named = entries.slice(0, IN_A_SENTENCE).map(groupPhrase).join(', ');
  return `by ${cleanText(key, 40).toLowerCase()} ${named}${more(entries.length - IN_A_SENTENCE)}`;
}

/**
 * The digest's opening lines: "Last week: $X on GPUs, Y% below 5% utilization, N of M instances never used; by
 * team …; costliest idle runs …; right-sizing could save $Z/week", then the regions that could not be read and the
 * multi-GPU instances right-sizing could not judge.
 */
function fleetDigestLines(fleet: FleetAudit): string[] {
  const parts = [
    `Last week: ${formatUsd(fleet.spendUsd)} on GPUs, ${belowShare(fleet.spendUsd, fleet.spendByBand.below5)}, ` +
      `${fleet.neverUsed} of ${plural(fleet.instances, 'instance')} never used`,
  ];
  const byGroup = byGroupPhrase(fleet);
  if (byGroup) parts.push(byGroup);
  const idle = fleet.runs.filter((run) => run.busyShare < IDLE_RUN_SHARE && run.spendUsd > 0);
  parts.push(
    idle.length === 0
      ? 'no costly idle runs'
      : `costliest idle runs ${idle.slice(0, IN_A_SENTENCE).map(runPhrase).join(', ')}${more(idle.length - IN_A_SENTENCE)}`,
  );
  const saving = rightSizingTotal(fleet);
  parts.push(
    fleet.rightSizing.length === 0
      ? 'no right-sizing to suggest'
      : `right-sizing could save ${formatUsd(saving)}/week (${plural(fleet.rightSizing.length, 'instance')})`,
  );
  const lines = [`${parts.join('; ')}.`];
  for (const entry of fleet.rightSizing.slice(0, IN_A_SENTENCE)) {
    lines.push(
      `    ${cleanText(entry.instanceId, 40)}: ${entry.instanceType} used at most ${plural(entry.gpusEverBusy, 'GPU')} ` +
        `of ${entry.gpus} at once; ${entry.suggestedType} would save ${formatUsd(entry.weeklySavingUsd)}/week`,
    );
  }
  if (fleet.rightSizingUnjudged.length > 0) {
    lines.push(`    ${unjudgedLine(fleet)}`);
  }
  for (const failed of fleet.regionErrors ?? []) {
    lines.push(`Fleet audit: the history of ${failed.region} could not be read (${cleanText(failed.error, 160)}).`);
  }
  return lines;
}

/** `2 multi-GPU instances not judged: …` (the first reason, the one nearly always given). */
function unjudgedLine(fleet: FleetAudit): string {
  const count = fleet.rightSizingUnjudged.length;
  const first = fleet.rightSizingUnjudged[0];
  const what = plural(count, 'multi-GPU instance');
  return first === undefined ? '' : `${what} not judged for right-sizing: ${first.reason}`;
}

export { fleetDigestLines, fleetHeadline, IDLE_RUN_SHARE, rightSizingTotal, unjudgedLine };
