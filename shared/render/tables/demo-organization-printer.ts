/**
 * How the demo's organization scene reads on a terminal: the hub, the OU and its member accounts, each pass over the
 * targets (account × region) with every account's decisions, a member account's owner keeping an instance by link
 * (the hub's endpoint acting through the spoke role), the hub's audit trail with each event's account, and the
 * report grouped by account. Every line fits a 100-column terminal.
 */
import Table from 'cli-table3';
import { instant } from '../../engine/format';
import type { OrganizationPrinter } from '../../local/demo-organization';
import { formatUsd } from '../text/money';
import { decisionCell } from './decision-table';
import { clock, demoTable, plain, rule, shortLinks, WIDTH } from './demo-layout';
import { wrapText } from './terminal-wrap';

/** The organization scene's printer, writing to `write`. */
function organizationPrinter(write: (text: string) => void): OrganizationPrinter {
  const say = (text: string) => write(wrapText(text, WIDTH));
  return {
    organization({ hubAccount, ou, ouId, members }) {
      write(rule('many accounts: a hub and two member accounts of an organization'));
      say(
        `The hub is account ${hubAccount} (the organization's management account, in the root). OU ${ou} ` +
          `(${ouId}) holds two member accounts. The hub reaches each one by AssumeRole into its spoke role ` +
          'GpuReaperSpoke; moto keeps every account apart, so the assumed credentials see only that account:',
      );
      const accounts = demoTable(['account', 'name', 'GetCallerIdentity with the spoke role'], [14, 10]);
      for (const member of members) accounts.push([member.accountId, member.name, member.identity]);
      write(accounts.toString());
      say('Each member account runs its own small fleet (seeded through the spoke role, in us-east-1):');
      const fleet = demoTable(['account', 'instance', 'type', 'owner', 'story'], [10, 15, 13, 18]);
      for (const member of members) {
        for (const spec of member.fleet) {
          fleet.push([member.name, spec.name, spec.instanceType, spec.owner, spec.story]);
        }
      }
      write(fleet.toString());
      const research = members.find((member) => member.name === 'research')?.accountId ?? '?';
      say(
        `Config: mode dry-run, regions us-east-1 and us-west-2, accounts: { organization: { ous: ["${ouId}"] }, ` +
          `overrides: { "${research}": { mode: "enforce" } } }: research enforces, platform only says what it ` +
          'would do. Targets come from Organizations (ACTIVE accounts under the OU), one pass per account × region.',
      );
    },

    organizationPass(index, total, minutes, combined, accounts, names) {
      const ok = combined.targets.filter((target) => target.status === 'ok').length;
      const heading = `organization pass ${index + 1}/${total} at ${clock(minutes)} (${instant(combined.now, combined.now)})`;
      write(rule(`${heading}: ${combined.targets.length} targets, ${ok} ok`));
      const targets = demoTable(['account', 'name', 'region', 'mode', 'status', 'GPU instances'], [14, 10, 11, 9, 8]);
      for (const target of combined.targets) {
        const scanned = combined.decisions.filter(
          (d) => d.accountId === target.accountId && d.region === target.region,
        ).length;
        const name = accounts.get(target.accountId) ?? '?';
        const status = target.status === 'ok' ? 'ok' : `error: ${target.error ?? ''}`;
        targets.push([target.accountId, name, target.region, target.mode ?? '-', status, String(scanned)]);
      }
      write(targets.toString());
      const decisions = demoTable(['account', 'instance', 'decision', 'reason'], [10, 15, 27]);
      for (const d of combined.decisions) {
        const account = accounts.get(d.accountId ?? '') ?? d.accountId ?? '-';
        decisions.push([account, names.get(d.instanceId) ?? d.instanceId, decisionCell(d, combined.now), d.reason]);
      }
      write(decisions.toString());
      for (const event of combined.events) {
        const account = `${accounts.get(event.accountId ?? '') ?? '-'} ${event.accountId ?? ''}`;
        say(
          `  → ${event.event.padEnd(10)} ${account.padEnd(22)} ${(names.get(event.instanceId) ?? event.instanceId).padEnd(14)} ${event.rule ?? ''}`,
        );
      }
    },

    organizationOwnerAnswer(scene, accounts, names) {
      const name = names.get(scene.instanceId) ?? scene.instanceId;
      const account = `${accounts.get(scene.accountId) ?? '?'} ${scene.accountId}`;
      write(rule(`a member account's owner answers by link at ${clock(scene.minutesAfterLaunch)}`));
      say(`${scene.owner} (account ${account}) opens "${scene.link.label}" in the WARNED email about ${name}:`);
      say(`  GET  ${shortLinks(scene.link.url)}`);
      say(`       → ${scene.opened.status}: "${scene.opened.title}" (the hub's endpoint; nothing changed yet)`);
      say(`  presses the button: POST → ${scene.pressed.status}: ${scene.pressed.title}. ${scene.pressed.summary}`);
      say(
        `The hub verified the token with its key, then assumed GpuReaperSpoke in ${scene.accountId} (session ` +
          `gpu-reaper-owner-action: the owner actions only) and wrote the tag there: gpu-reaper:snooze-until=` +
          `${scene.snoozeTag ?? '(none)'}.`,
      );
      for (const event of scene.events) {
        say(`  → ${event.event.padEnd(10)} ${account.padEnd(22)} ${name.padEnd(14)} by ${event.by ?? 'reaper'}`);
      }
    },

    organizationAudit(items, accounts, names) {
      write(rule(`the hub's audit trail: ${items.length} events, each with its accountId`));
      const head = ['at', 'accountId', 'account', 'event', 'instance', 'rule', 'mode', 'by'];
      const table = new Table({ head, ...plain });
      for (const item of items) {
        table.push([
          item.at.slice(11, 16),
          item.accountId ?? '-',
          accounts.get(item.accountId ?? '') ?? '-',
          item.event,
          names.get(item.instanceId) ?? item.instanceId,
          item.rule ?? '',
          item.mode,
          item.by ?? 'reaper',
        ]);
      }
      write(table.toString());
    },

    organizationReport(report, accounts, states) {
      write(rule('gpu-reaper report an hour later, grouped by account (and by owner within it)'));
      const table = new Table({
        head: ['account', 'name', 'owner', 'events', 'stopped', 'avoided', 'would avoid (dry run)'],
        ...plain,
      });
      for (const [account, part] of Object.entries(report.byAccount)) {
        const name = accounts.get(account) ?? '-';
        const stopped = String(part.byEvent.STOPPED ?? 0);
        const [avoided, would] = [part.avoided.usd, part.wouldHaveAvoided.usd].map(formatUsd);
        table.push([account, name, '(all)', part.events, stopped, avoided, would]);
        for (const [owner, events] of Object.entries(part.byOwner)) {
          const ownAvoided = formatUsd(part.avoided.byOwner[owner]?.usd ?? 0);
          const ownWould = formatUsd(part.wouldHaveAvoided.byOwner[owner]?.usd ?? 0);
          table.push(['', '', owner, events, '', ownAvoided, ownWould]);
        }
      }
      write(table.toString());
      write(rule('where every member instance ended up (EC2, asked in its own account)'));
      write(states.map(({ account, name, state }) => `${account.padEnd(10)} ${name.padEnd(15)} ${state}`).join('\n'));
      say(
        '\nThe research account (enforce, by override) stopped its idle notebook after the warning; in the platform ' +
          'account (dry-run) the owner kept the failed job by link, so nothing more was recorded for it. One audit ' +
          "table in the hub holds both accounts' events, the owner's included.",
      );
    },
  };
}

export { organizationPrinter };
