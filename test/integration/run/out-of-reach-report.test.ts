/**
 * Escape hatches made visible, end to end against moto: `gpu-reaper run` records what is kept out of the reaper's
 * reach (opted out, notify-only, a self-set EKS tag, a long snooze) as audit-only items, mails no owner about them,
 * and `gpu-reaper report --json` lists each with owner, hours and dollars.
 */
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { runFixture } from './run-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;
const G5_XLARGE_USD = 1.006;

interface Entry {
  readonly kind: string;
  readonly instanceId: string;
  readonly owner: string | null;
  readonly hours: number;
  readonly usd: number | null;
  readonly hourlyUsd: number | null;
  readonly since: string;
  readonly until: string;
}

describe('what is kept out of reach, in the report', () => {
  let fx: Awaited<ReturnType<typeof runFixture>>;
  let launch: number;
  const ids: Record<string, string> = {};
  const at = (m: number) => new Date(launch + m * MIN + 30_000).toISOString();
  const run = (m: number) =>
    runCli(['run', '--json', '--now', at(m), '--region', moto.region, '--table', fx.table, '--topic', fx.topicArn]);

  beforeAll(async () => {
    fx = await runFixture(moto.region);
    launch = Math.floor(Date.now() / MIN) * MIN;
    const fleet = {
      optedOut: { Owner: 'ana@example.com', 'Gpu-Reaper:Opt-Out': 'true' },
      notifyOnly: { Owner: 'bo@example.com', 'gpu-reaper:action': 'notify' },
      eks: { Owner: 'cy@example.com', 'eks:cluster-name': 'my-own-cluster' },
      snoozed: { Owner: 'di@example.com', 'gpu-reaper:snooze-until': at(40 + 20 * 60) },
      plain: { Owner: 'ed@example.com' },
    };
    for (const [name, tags] of Object.entries(fleet)) {
      const [id] = (await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags })) as [string];
      ids[name] = id;
      // Busy GPUs: no rule would act on any of them anyway; what is out of reach is told by its tags alone.
      await putGpuSeries(fx.cloudwatch, id, minutes(launch, 60, 40));
    }
  });

  /** The message attributes of everything the topic carried (owner messages and admin notices), drained. */
  async function mailed(): Promise<Record<string, string>[]> {
    const all: Record<string, string>[] = [];
    for (;;) {
      const answer = await fx.sqs.send(new ReceiveMessageCommand({ QueueUrl: fx.queueUrl, MaxNumberOfMessages: 10 }));
      if (!answer.Messages?.length) return all;
      for (const message of answer.Messages) {
        const envelope = JSON.parse(message.Body ?? '{}') as { MessageAttributes?: Record<string, { Value: string }> };
        all.push(Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value])));
        await fx.sqs.send(new DeleteMessageCommand({ QueueUrl: fx.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  }

  it('records each escape as an audit-only SKIPPED item: no owner is mailed about it', async () => {
    const first = await run(40);
    expect(first.stderr).toBe('');
    const document = JSON.parse(first.stdout);
    const byId = new Map(document.decisions.map((d: { instanceId: string }) => [d.instanceId, d]));
    expect(byId.get(ids.optedOut)).toMatchObject({ outcome: 'skip', rule: 'opt-out' });
    expect(byId.get(ids.eks)).toMatchObject({ outcome: 'skip', rule: 'managed-by-service' });
    expect(byId.get(ids.snoozed)).toMatchObject({ outcome: 'skip', rule: 'snoozed' });
    // Audit-only: neither the pass's transitions nor the topic carry them.
    expect(document.events.map((e: { event: string }) => e.event)).not.toContain('SKIPPED');
    const sent = await mailed();
    expect(sent.filter((m) => m.event === 'SKIPPED')).toEqual([]);
    expect(sent.map((m) => m.instanceId)).not.toContain(ids.optedOut);
    expect(sent.map((m) => m.instanceId)).not.toContain(ids.eks);

    // The next pass of the same day records nothing again.
    await run(41);
    expect((await mailed()).filter((m) => m.event === 'SKIPPED')).toEqual([]);
  });

  it('lists opted out, notify-only, managed-by-service and the long snooze with owner, hours and dollars', async () => {
    const result = await runCli(['report', '--json', '--since', at(0), '--now', at(100), '--table', fx.table]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    const entries = report.outOfReach as Entry[];
    const sameDay = at(40).slice(0, 10) === at(41).slice(0, 10);
    expect(report.byEvent.SKIPPED).toBe(sameDay ? 4 : 8);
    expect(entries.map((e) => [e.kind, e.instanceId, e.owner]).sort()).toEqual(
      [
        ['long-snooze', ids.snoozed, 'di@example.com'],
        ['managed-by-service', ids.eks, 'cy@example.com'],
        ['notify-only', ids.notifyOnly, 'bo@example.com'],
        ['opt-out', ids.optedOut, 'ana@example.com'],
      ].sort(),
    );
    for (const entry of entries) {
      expect(entry.hourlyUsd).toBe(G5_XLARGE_USD);
      expect(entry.until).toBe(at(100));
      expect(entry.usd).toBeCloseTo(entry.hours * G5_XLARGE_USD, 1);
    }
    // From the launch (moto's clock, within a minute of `launch`) to the end of the report: about 100 minutes.
    const optedOut = entries.find((e) => e.kind === 'opt-out')!;
    expect(optedOut.hours).toBeGreaterThan(1.6);
    expect(optedOut.hours).toBeLessThanOrEqual(1.68);
    // A snooze counts from the first sighting of its value (the pass at 40m): 1h to the end of the report.
    expect(entries.find((e) => e.kind === 'long-snooze')).toMatchObject({ since: at(40), hours: 1, usd: 1.01 });
    expect(report.outOfReachTotals).toMatchObject({ instances: 4, unpriced: 0 });
    expect(report.outOfReachTotals.method).toContain('at on-demand price');
  });

  it('prints them in the table under "Kept out of reach"', async () => {
    const result = await runCli(['report', '--since', at(0), '--now', at(100), '--table', fx.table]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Kept out of reach: 4 instances');
    expect(result.stdout).toContain(ids.eks);
  });
});
