/**
 * How the demo tells its story on a terminal: the fleet, each pass's decisions and transitions, the owners'
 * inbox, the audit trail and where every instance ended up.
 */
import Table from 'cli-table3';
import type { DemoPrinter } from '../../local/demo-story';
import { renderNotification } from '../notifications/notification';

const plain = { style: { head: [] as string[], border: [] as string[] } };
const clock = (minutes: number) => `launch + ${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
const rule = (title: string) => `\n━━ ${title} ${'━'.repeat(Math.max(0, 100 - title.length))}`;

/** Events worth reading in full: one of each kind the story shows. */
const SHOWCASE = ['WARNED', 'STOPPED', 'SKIPPED', 'CLEARED', 'NOTIFIED'] as const;

/** A printer that writes the story to `write` (stdout by default). */
function consoleDemoPrinter(write: (text: string) => void = (text) => process.stdout.write(`${text}\n`)): DemoPrinter {
  return {
    intro(fleet, endpoint) {
      write(rule('gpu-reaper demo'));
      write(`A local AWS endpoint (moto) at ${endpoint}; the real AWS SDK talks to it. The fleet:`);
      const table = new Table({ head: ['name', 'type', 'owner', 'story'], ...plain });
      for (const spec of fleet) table.push([spec.name, spec.instanceType, spec.owner, spec.story]);
      write(table.toString());
      write('Config: mode enforce, idle < 5% for 1h, never-used after 30m, max runtime 12h (tag: 2h), grace 30m.');
    },

    pass(index, total, minutes, result, names) {
      write(rule(`pass ${index + 1}/${total} at ${clock(minutes)} (${result.now.toISOString()})`));
      const table = new Table({
        head: ['instance', 'outcome', 'rule', 'action', 'reason'],
        colWidths: [18, 9, 20, 8, 90],
        wordWrap: true,
        ...plain,
      });
      for (const d of result.decisions) {
        const outcome = d.outcome === 'act' && d.executed ? 'act ✓' : d.outcome;
        table.push([names.get(d.instanceId) ?? d.instanceId, outcome, d.rule ?? '', d.action ?? '', d.reason]);
      }
      write(table.toString());
      if (result.events.length === 0) write('no transitions this pass');
      for (const event of result.events) {
        write(
          `  → ${event.event.padEnd(10)} ${(names.get(event.instanceId) ?? event.instanceId).padEnd(17)} ${event.rule ?? ''}`,
        );
      }
    },

    inbox(messages, names) {
      write(rule(`the owners' inbox: ${messages.length} notifications delivered through SNS → SQS`));
      const table = new Table({ head: ['owner', 'event', 'rule', 'subject'], ...plain });
      for (const m of messages)
        table.push([m.attributes.owner ?? '-', m.attributes.event ?? '', m.attributes.rule ?? '', m.subject]);
      write(table.toString());
      for (const kind of SHOWCASE) {
        const message = messages.find((m) => m.event.event === kind);
        if (!message) continue;
        const name = names.get(message.event.instanceId) ?? message.event.instanceId;
        const rendered = renderNotification(message.event, new Date(message.event.at));
        write(rule(`email to ${message.event.owner} (${name}): ${rendered.subject}`));
        write(rendered.text);
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
      write(
        '\nNothing was stopped without a warning at least 30m earlier; opted-out, protected and ASG instances kept running.',
      );
    },
  };
}

export { consoleDemoPrinter };
