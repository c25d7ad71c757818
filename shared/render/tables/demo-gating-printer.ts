/**
 * How the demo's cost-gating scene reads on a terminal: what the admin configured, each pass over the scene's fleet
 * (a full table when a decision changed, else one line), the key lines of what the owners, the approvers and the
 * admins received, the approver's click through the loopback endpoint, then the scene's audit trail and where every
 * instance ended up. Every line fits a 100-column terminal.
 */
import Table from 'cli-table3';
import type { AuditItem } from '../../adapters/dynamodb/audit-trail';
import { parseDuration } from '../../config';
import type { ReaperEvent } from '../../core/events';
import { instant } from '../../engine/format';
import type { GatingPass, GatingPrinter } from '../../local/demo-gating';
import type { InboxMessage } from '../../local/demo-inbox';
import { hourlyUsd } from '../../prices/on-demand-prices';
import { renderNotification } from '../notifications/notification';
import { formatUsd } from '../text/money';
import { decisionCell } from './decision-table';
import { clock, demoTable, plain, rule, shortLinks, WIDTH } from './demo-layout';
import { wrapText } from './terminal-wrap';

/** The notification's text as paragraphs: the headline first, then each section (`How to keep it`, …). */
function paragraphs(event: ReaperEvent): { subject: string; headline: string; sections: Map<string, string[]> } {
  const rendered = renderNotification(event, new Date(event.at));
  const [headline = '', ...rest] = shortLinks(rendered.text).split('\n\n');
  const sections = new Map<string, string[]>();
  for (const block of rest) {
    const [title = '', ...lines] = block.split('\n');
    sections.set(title, lines);
  }
  return { subject: rendered.subject, headline, sections };
}

/** A team's month as the budget counts it: `$5.67 of $7.00 (81%)`. */
const spent = (usd: number, budget: number) =>
  `${formatUsd(usd)} of ${formatUsd(budget)} (${Math.round((usd / budget) * 100)}%)`;

/** What the scene's audit trail shows, in three sentences: the approved run, the stopped one, the team over budget. */
function closing(audit: readonly AuditItem[], names: Map<string, string>, now: Date, team: string): string[] {
  const name = (item: AuditItem) => names.get(item.instanceId) ?? item.instanceId;
  const lines: string[] = [];
  const approved = audit.find((item) => item.event === 'APPROVED');
  const until = approved?.evidence.approvedUntil;
  if (approved && typeof until === 'string') {
    lines.push(
      `${name(approved)} runs on to its approval, ${instant(new Date(until), now)}: that is its deadline, and it is ` +
        'warned ahead of it as for any maximum runtime.',
    );
  }
  const stopped = audit.find((item) => item.event === 'STOPPED' && item.rule === 'unapproved');
  const warned = audit.find((item) => item.event === 'WARNED' && item.instanceId === stopped?.instanceId);
  if (stopped && warned) {
    const minutes = Math.round((Date.parse(stopped.at) - Date.parse(warned.at)) / 60_000);
    lines.push(
      `${name(stopped)}, never approved, was stopped ${minutes}m after its warning (mode ${stopped.mode}, so EC2 ` +
        'stopped it); its owner was told both times.',
    );
  }
  const gated = audit.filter((item) => item.event === 'WARNED' && item.evidence.overBudget === true);
  if (gated.length > 0 && gated[0]!.actAt) {
    lines.push(
      `Team ${team} went over its budget, so ${gated.map(name).join(' and ')}, ` +
        'each projected under the threshold, now wait for an approval; without one they are stopped at ' +
        `${instant(new Date(gated[0]!.actAt), now)}.`,
    );
  }
  return lines;
}

/** The cost-gating scene's printer, writing to `write`. */
function gatingPrinter(write: (text: string) => void): GatingPrinter {
  const say = (text: string) => write(wrapText(text, WIDTH));
  let budget = { team: 'vision', usd: 0, warnAt: 0.8 };
  /** The clock of the latest pass: the closing lines tell instants as it saw them. */
  let latest = new Date(0);
  /** Each instance's last outcome and rule: a pass that changes none of them is told in one line. */
  const previous = new Map<string, string>();
  /** Which kinds of message were already shown in full (the first of each). */
  const shown = new Set<string>();

  const message = (label: string, m: InboxMessage, section: string | null) => {
    const { subject, headline, sections } = paragraphs(m.event);
    say(`${label}:`);
    say(`  Subject: ${subject}`);
    say(`  ${headline}`);
    if (section === null) return;
    say(`  ${section}`);
    for (const line of sections.get(section) ?? []) say(`  ${line}`);
  };

  /** The key lines of what the pass sent: the first message of each kind in full, budget and admin notices. */
  const messages = (pass: GatingPass, names: Map<string, string>) => {
    const warned = pass.owners.find((m) => m.event.event === 'WARNED' && m.event.rule === 'unapproved');
    const overBudget = warned?.event.evidence.overBudget === true;
    const kind = overBudget ? 'over-budget' : 'threshold';
    if (warned && !shown.has(kind)) {
      shown.add(kind);
      const name = names.get(warned.event.instanceId) ?? warned.event.instanceId;
      const copy = pass.approvers.find((m) => m.event.instanceId === warned.event.instanceId);
      message(
        `${warned.event.owner}'s WARNED email about ${name} (the owner's copy; key lines)`,
        warned,
        'How to keep it',
      );
      if (!overBudget) {
        say(
          "The owner's copy has no approve link. The approvers' copy carries no owner attribute, so no owner's " +
            'subscription receives it:',
        );
      }
      if (copy) {
        message(
          `The approvers' copy to ${copy.event.evidence.approvers} (audience = approvers)`,
          copy,
          overBudget ? null : 'How to approve it',
        );
      }
      const others = pass.owners.filter(
        (m) => m.event.event === 'WARNED' && m.event.rule === 'unapproved' && m !== warned,
      );
      for (const other of others) {
        const copies = pass.approvers.some((m) => m.event.instanceId === other.event.instanceId);
        const otherName = names.get(other.event.instanceId) ?? other.event.instanceId;
        say(`Likewise about ${otherName}: ${other.event.owner}'s copy${copies ? " and the approvers' copy" : ''}.`);
      }
    }
    const stopped = pass.owners.find((m) => m.event.event === 'STOPPED' && m.event.rule === 'unapproved');
    if (stopped) message(`${stopped.event.owner}'s STOPPED email (key lines)`, stopped, null);
    const notice = pass.owners.find((m) => m.event.event === 'NOTIFIED' && m.event.rule === 'budget');
    if (notice) {
      const owners = pass.owners.filter((m) => m.event.rule === 'budget').map((m) => m.event.owner);
      const level =
        notice.event.evidence.budgetLevel === 'over'
          ? 'went over budget'
          : `reached ${Math.round(budget.warnAt * 100)}%`;
      message(`Told once this month to ${owners.join(' and ')}, as the team ${level}`, notice, null);
    }
    for (const admin of pass.admins) {
      say("The admins' notice (event = ADMIN):");
      say(`  Subject: ${admin.subject}`);
      say(`  ${admin.text}`);
    }
  };

  return {
    gatingIntro({ fleet, config, budgetTeam }) {
      const gating = config.gating!;
      const budgets = config.budgets!;
      budget = { team: budgetTeam, usd: budgets.monthlyUsd[budgetTeam] ?? 0, warnAt: budgets.warnAt };
      write(rule('Cost-gating: approval before an expensive run'));
      say(
        'No open-source tool gates a raw EC2 launch on its projected cost. The admin turns it on with two ' +
          `settings; this scene's reaper covers a second region (${config.regions.join(', ')}) of the same ` +
          `account, with its own table, topic and fleet, in mode ${config.mode}:`,
      );
      say(
        `  gating: { threshold: ${gating.threshold}, approvers: ${JSON.stringify(gating.approvers)}, grace: ` +
          `"${gating.grace}" }`,
      );
      const amounts = Object.entries(budgets.monthlyUsd).map(([team, usd]) => `${JSON.stringify(team)}: ${usd}`);
      say(`  budgets: { tag: "${budgets.tag}", monthlyUsd: { ${amounts.join(', ')} }, warnAt: ${budgets.warnAt} }`);
      say(
        `A run's projected cost is its hourly price × its allowed runtime (its max-runtime tag, else ` +
          `maxRuntime.default, ${config.maxRuntime.default}). At or above ${formatUsd(gating.threshold)} it needs an ` +
          `approver's approval (the approved-until tag), or it is stopped ${gating.grace} after its warning; its ` +
          'owner can neither opt out of that nor snooze it. The approve links are signed with a KMS HMAC key and ' +
          'served on loopback by the handler `gpu-reaper serve-links` runs; approveFor is left at its default, ' +
          `${gating.approveFor.join(' and ')}. The fleet, all four busy on their GPUs, none with a max-runtime tag ` +
          `(projected: price × ${config.maxRuntime.default}):`,
      );
      const runtime = parseDuration(config.maxRuntime.default) ?? 0;
      const head = ['name', 'type', 'owner', 'team', 'projected', 'story'];
      const table = demoTable(head, [14, 14, 18, 10, 11]);
      for (const spec of fleet) {
        const price = hourlyUsd(spec.instanceType, { overrides: config.prices.overrides });
        const projected = price === null ? '?' : formatUsd((price * runtime) / 3_600_000);
        table.push([spec.name, spec.instanceType, spec.owner, spec.tags?.[budgets.tag] ?? '-', projected, spec.story]);
      }
      write(table.toString());
      say(
        `Team ${budgetTeam}'s budget is demo-sized (${formatUsd(budget.usd)} a month) so that it runs out within ` +
          "the hour. The reaper runs every 5 minutes, as its default schedule does; each pass adds to the team's " +
          'month the spend since the pass before. A pass that changes no decision is one line. Each inbox is an ' +
          'SQS queue subscribed to ' +
          'the topic with the filter policy a deployment gives that person: owners (the owner attribute), ' +
          'approvers (audience = approvers), admins (event = ADMIN).',
      );
    },

    gatingPass(pass, names) {
      const { result, minutesAfterLaunch } = pass;
      latest = result.now;
      const heading = `gating pass ${pass.index + 1}/${pass.total} at ${clock(minutesAfterLaunch)} (${instant(result.now, result.now)})`;
      const standing = `team ${budget.team} ${spent(pass.teamMonthUsd, budget.usd)}`;
      const changed = result.decisions.filter((d) => previous.get(d.instanceId) !== `${d.outcome}:${d.rule}`);
      for (const d of result.decisions) previous.set(d.instanceId, `${d.outcome}:${d.rule}`);
      if (changed.length === 0 && result.events.length === 0) {
        say(`\n${heading}: no decision changed, no transition; ${standing}`);
        return;
      }
      write(rule(`${heading}: ${standing}`));
      if (changed.length > 0) {
        const table = demoTable(['instance', 'decision', 'reason'], [14, 27]);
        for (const d of result.decisions) {
          table.push([names.get(d.instanceId) ?? d.instanceId, decisionCell(d, result.now), d.reason]);
        }
        write(table.toString());
      } else {
        say('No decision changed.');
      }
      for (const event of result.events) {
        const name = names.get(event.instanceId) ?? event.instanceId;
        say(`  → ${event.event.padEnd(10)} ${name.padEnd(14)} ${(event.rule ?? '').padEnd(11)} ${event.owner ?? ''}`);
      }
      messages(pass, names);
    },

    gatingApproval(scene, names) {
      const name = names.get(scene.instanceId) ?? scene.instanceId;
      write(rule(`${scene.approver} approves ${name} from the approvers' copy at ${clock(scene.minutesAfterLaunch)}`));
      say(`${scene.approver} opens "${scene.link.label}" in their copy of the warning about ${name}:`);
      say(`  GET  ${shortLinks(scene.link.url)}`);
      say(`       → ${scene.opened.status}: "${scene.opened.title}" (a page to confirm; nothing changed yet)`);
      say(`       ${scene.opened.summary.split(': that')[0]}: that becomes its deadline.`);
      say(
        `  presses "${scene.link.label}": POST → ${scene.pressed.status}: ${scene.pressed.title}. ${scene.pressed.summary}`,
      );
      for (const m of scene.events) {
        const by = m.event.by ?? 'reaper';
        say(`  → ${m.event.event.padEnd(10)} ${name.padEnd(14)} ${(m.event.rule ?? '').padEnd(11)} by ${by}`);
      }
      const approved = scene.events.find((m) => m.event.event === 'APPROVED');
      if (approved) say(`  ${approved.event.owner}, the owner, is told: ${paragraphs(approved.event).subject}`);
    },

    gatingEnd(audit, states, names) {
      write(rule(`the scene's audit trail: ${audit.length} events`));
      const table = new Table({ head: ['at', 'event', 'instance', 'rule', 'by', 'owner'], ...plain });
      for (const item of audit) {
        const name = names.get(item.instanceId) ?? item.instanceId;
        table.push([item.at.slice(11, 16), item.event, name, item.rule ?? '', item.by ?? 'reaper', item.owner ?? '']);
      }
      write(table.toString());
      write(rule('where every instance of the scene ended up (EC2)'));
      write(states.map(({ name, state }) => `${name.padEnd(14)} ${state}`).join('\n'));
      write('');
      for (const line of closing(audit, names, latest, budget.team)) say(line);
    },
  };
}

export { gatingPrinter };
