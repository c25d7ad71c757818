/**
 * A `run` pass (dry-run) over instances whose tags an attacker wrote, end to end against moto: EC2 → engine →
 * DynamoDB audit → SNS → an SQS subscriber. The pass finishes, opt-out holds, each bad tag is told once, and what
 * reaches the subscriber and the audit trail is bounded and clean.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../../shared/engine';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { codePoints, LONE_SURROGATE, PRINTABLE_ASCII, UNSAFE } from '../../unit/hostile-input/hostile-values';
import { runFixture } from '../run/run-fixture';

const moto = useMoto({ threaded: false });

/** One hostile value per reaper tag, so each notice can be told apart. */
const BAD_TAGS = {
  'gpu-reaper:max-runtime': 'x'.repeat(256),
  'gpu-reaper:expires-at': "'; DROP TABLE audit; --",
  'gpu-reaper:snooze-until': '$(rm -rf /)`reboot`',
  'gpu-reaper:action': '<script>alert(document.cookie)</script>',
  'gpu-reaper:warned': '"},"outcome":"act","x":{"',
};
const HOSTILE_OWNER = `eve\r\nSubject: you won\u202egnp.exe\u0000\u001b[31m${'😀'.repeat(100)}`;

describe('a run pass over hostile tags', () => {
  const launchOne = async (spec: Parameters<typeof launchInstances>[1]) =>
    (await launchInstances(fx.ec2, spec))[0] ?? '';

  let fx: Awaited<ReturnType<typeof runFixture>>;
  let tagged: string;
  let optedOut: string;
  let owned: string;
  let now: Date;
  let decisions: Map<string, Decision>;
  let events: string[];

  beforeAll(async () => {
    fx = await runFixture(moto.region, { mode: 'dry-run' });
    tagged = await launchOne({ instanceType: 'g5.xlarge', tags: { Owner: 'ana', ...BAD_TAGS } });
    optedOut = await launchOne({
      instanceType: 'g5.xlarge',
      tags: { Owner: 'bo', 'gpu-reaper:opt-out': '\u202eeurt\u202c', 'gpu-reaper:max-runtime': '1m\u0000' },
    });
    // 64 code points are kept of a bad value: an emoji straddling that cut must not be halved anywhere.
    owned = await launchOne({
      instanceType: 'g5.xlarge',
      tags: { Owner: HOSTILE_OWNER, 'gpu-reaper:max-runtime': `a${'😀'.repeat(80)}` },
    });
    // Past the default 12h max runtime: every instance without a (good) opt-out is warned. Busy GPUs, so the
    // telemetry brake stays off and no admin notice shares the inbox.
    now = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 13 * 3_600_000);
    for (const id of [tagged, optedOut, owned]) {
      await putGpuSeries(fx.cloudwatch, id, minutes(now.getTime() - 30 * 60_000, 30, 60));
    }
    const result = await fx.pass(now);
    decisions = new Map(result.decisions.map((decision) => [decision.instanceId, decision]));
    events = result.events.map((event) => `${event.instanceId} ${event.event}`);
  });

  it('finishes and decides every instance, the defaults applying where a tag is bad', () => {
    expect(decisions.get(tagged)).toMatchObject({ outcome: 'warn', rule: 'max-runtime', action: 'stop' });
    expect(
      decisions
        .get(tagged)
        ?.tagProblems.map((problem) => problem.tag)
        .sort(),
    ).toEqual(Object.keys(BAD_TAGS).sort());
    expect(decisions.get(owned)).toMatchObject({ outcome: 'warn', rule: 'max-runtime' });
  });

  it('keeps an opt-out whatever its value, and never warns about that instance', () => {
    expect(decisions.get(optedOut)).toMatchObject({ outcome: 'skip', rule: 'opt-out', action: null });
    expect(events.filter((event) => event.startsWith(optedOut))).not.toContain(`${optedOut} WARNED`);
  });

  it('tells the owner once per bad tag, and audits each notice', async () => {
    expect(events.filter((event) => event === `${tagged} NOTIFIED`)).toHaveLength(5);
    const audited = await fx.audit.byInstance(tagged);
    expect(audited.map((item) => item.event).sort()).toEqual([
      'NOTIFIED',
      'NOTIFIED',
      'NOTIFIED',
      'NOTIFIED',
      'NOTIFIED',
      'WARNED',
    ]);
    for (const tag of Object.keys(BAD_TAGS)) {
      expect(audited.some((item) => item.reason.startsWith(`tag ${tag}="`))).toBe(true);
    }
    for (const item of audited) {
      expect(item.reason).not.toMatch(UNSAFE);
      expect(codePoints(item.reason)).toBeLessThan(4_000);
    }

    for (const item of await fx.audit.byInstance(owned)) expect(item.reason).not.toMatch(LONE_SURROGATE);

    const again = await fx.pass(new Date(now.getTime() + 5 * 60_000));
    expect(again.events.filter((event) => event.event === 'NOTIFIED')).toEqual([]);
  });

  it('delivers messages with a printable subject, clean attributes and bounded JSON', async () => {
    const inbox = await fx.inbox();
    expect(inbox.length).toBeGreaterThanOrEqual(7);
    for (const message of inbox) {
      expect(message.subject).toMatch(PRINTABLE_ASCII);
      expect(message.subject.startsWith('[gpu-reaper][DRY RUN] ')).toBe(true);
      for (const value of Object.values(message.attributes)) {
        expect(value).not.toMatch(UNSAFE);
        expect(value).not.toMatch(LONE_SURROGATE);
      }
      expect(message.event.reason).not.toMatch(UNSAFE);
      expect(message.event.reason).not.toMatch(LONE_SURROGATE);
      expect(codePoints(message.event.owner ?? '')).toBeLessThanOrEqual(256);
    }
    const toOwned = inbox.find((message) => message.event.instanceId === owned);
    expect(toOwned?.attributes.owner).toMatch(/^eve Subject: you won gnp\.exe \[31m😀/);
    expect(codePoints(toOwned?.attributes.owner ?? '')).toBeLessThanOrEqual(256);
  });
});
