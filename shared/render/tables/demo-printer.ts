/**
 * How the demo tells its story on a terminal: the fleet, each pass's decisions and transitions, the owners'
 * inbox, the audit trail and where every instance ended up, then the organization and cost-gating scenes. Every
 * line fits a 100-column terminal.
 */
import Table from 'cli-table3';
import { instant } from '../../engine/format';
import type { DemoPrinter } from '../../local/demo-story';
import { renderNotification } from '../notifications/notification';
import { decisionCell } from './decision-table';
import { gatingPrinter } from './demo-gating-printer';
import { clock, demoTable, plain, rule, shortLinks, WIDTH } from './demo-layout';
import { organizationPrinter } from './demo-organization-printer';
import { wrapText } from './terminal-wrap';

/** Events worth reading in full: one of each kind the story shows. */
const SHOWCASE = ['WARNED', 'STOPPED', 'SKIPPED', 'CLEARED', 'NOTIFIED', 'SNOOZED'] as const;

/** A printer that writes the story to `write` (stdout by default). */
function consoleDemoPrinter(write: (text: string) => void = (text) => process.stdout.write(`${text}\n`)): DemoPrinter {
  const say = (text: string) => write(wrapText(text, WIDTH));
  return {
    ...organizationPrinter(write),
    ...gatingPrinter(write),

    intro(fleet, endpoint) {
      write(rule('gpu-reaper demo'));
      say(`A local AWS endpoint (moto) at ${endpoint}; the real AWS SDK talks to it. The fleet:`);
      const table = demoTable(['name', 'type', 'owner', 'story'], [18, 14, 22]);
      for (const spec of fleet) table.push([spec.name, spec.instanceType, spec.owner, spec.story]);
      write(table.toString());
      say('Config: mode enforce, idle < 5% for 1h, never-used after 30m, max runtime 12h (tag: 2h), grace 30m.');
      say(
        'Host activity (EC2 CPU and network, free): idle GPUs on a busy host (CPU ≥ 10% or network ≥ 5 MiB/min) ' +
          'are waiting for work, not idle. dataset-download waits 45m for its data and is kept; died-at-setup ' +
          'has a quiet host and is stopped.',
      );
    },

    pass(index, total, minutes, result, names) {
      write(rule(`pass ${index + 1}/${total} at ${clock(minutes)} (${instant(result.now, result.now)})`));
      const table = demoTable(['instance', 'decision', 'reason'], [18, 27]);
      for (const d of result.decisions) {
        table.push([names.get(d.instanceId) ?? d.instanceId, decisionCell(d, result.now), d.reason]);
      }
      write(table.toString());
      if (result.events.length === 0) write('no transitions this pass');
      for (const event of result.events) {
        say(
          `  → ${event.event.padEnd(10)} ${(names.get(event.instanceId) ?? event.instanceId).padEnd(17)} ${event.rule ?? ''}`,
        );
      }
    },

    ownerAnswer(scene, names) {
      const name = names.get(scene.instanceId) ?? scene.instanceId;
      write(rule(`${scene.owner} answers from the WARNED email at ${clock(scene.minutesAfterLaunch)}`));
      say(`${scene.owner} opens "${scene.link.label}" in the WARNED email about ${name}:`);
      say(`  GET  ${shortLinks(scene.link.url)}`);
      say(`       → ${scene.opened.status}: "${scene.opened.title}" (a page to confirm; nothing changed yet)`);
      say(`  presses "Keep 4h": POST → ${scene.pressed.status}: ${scene.pressed.title}. ${scene.pressed.summary}`);
      for (const event of scene.events) {
        say(
          `  → ${event.event.padEnd(10)} ${name.padEnd(17)} ${(event.rule ?? '').padEnd(11)} by ${event.by ?? 'reaper'}`,
        );
      }
    },

    inbox(messages, names) {
      write(rule(`the owners' inbox: ${messages.length} notifications delivered through SNS → SQS`));
      const table = demoTable(['owner', 'event', 'rule', 'subject'], [19, 10, 14]);
      for (const m of messages)
        table.push([m.attributes.owner ?? '-', m.attributes.event ?? '', m.attributes.rule ?? '', m.subject]);
      write(table.toString());
      for (const kind of SHOWCASE) {
        const message = messages.find((m) => m.event.event === kind);
        if (!message) continue;
        const name = names.get(message.event.instanceId) ?? message.event.instanceId;
        const rendered = renderNotification(message.event, new Date(message.event.at));
        write(rule(`${kind} email to ${message.event.owner} (${name})`));
        say(`Subject: ${rendered.subject}\n`);
        say(shortLinks(rendered.text));
      }
    },

    audit(items, names) {
      write(rule(`the audit trail (DynamoDB, queried by time, never scanned): ${items.length} events`));
      const table = new Table({ head: ['at', 'event', 'instance', 'rule', 'mode', '$/h'], ...plain });
      for (const item of items) {
        table.push([
          item.at.slice(11, 16),
          item.event,
          names.get(item.instanceId) ?? item.instanceId,
          item.rule ?? '',
          item.mode,
          item.hourlyUsd ?? '?',
        ]);
      }
      write(table.toString());
    },

    finalStates(states) {
      write(rule('where every instance ended up (EC2)'));
      write(states.map(({ name, state }) => `${name.padEnd(18)} ${state}`).join('\n'));
      say(
        '\nNothing was stopped without a warning at least 30m earlier; opted-out, protected and ASG instances kept running.',
      );
    },
  };
}

export { consoleDemoPrinter };
