import { describe, expect, it } from 'vitest';
import { AUDIT_EVENTS, type AuditEventName, type ReaperEvent } from '../../../../shared/core/events';
import { renderNotification } from '../../../../shared/render/notifications/notification';
import { reaperEvent } from '../../../helpers/events';

const makeEvent = (overrides: Partial<ReaperEvent> = {}): ReaperEvent => reaperEvent(overrides);

const ALL_EVENTS: readonly AuditEventName[] = AUDIT_EVENTS;
// Anything but printable ASCII, tab and newline would let a tag forge lines or hide text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for control characters.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

describe('renderNotification subject', () => {
  it('names the event, instance, type, rule and planned time', () => {
    expect(renderNotification(makeEvent()).subject).toBe(
      '[gpu-reaper] WARNED i-0abc (g5.12xlarge): idle - stop at 14:05 UTC',
    );
  });

  it('says [DRY RUN] right after the prefix in dry-run', () => {
    const { subject } = renderNotification(makeEvent({ mode: 'dry-run', event: 'WOULD_STOP' }));
    expect(subject).toBe('[gpu-reaper][DRY RUN] WOULD_STOP i-0abc (g5.12xlarge): idle - would stop, nothing done');
  });

  it('adds the date when the action is due on another day', () => {
    const { subject } = renderNotification(makeEvent({ actAt: '2024-05-02T09:00:00.000Z' }));
    expect(subject).toContain('stop at 05-02 09:00 UTC');
  });

  it.each(ALL_EVENTS)('keeps the %s subject printable ASCII, one line, at most 100 characters', (event) => {
    for (const mode of ['dry-run', 'enforce'] as const) {
      const { subject } = renderNotification(
        makeEvent({ event, mode, instanceType: `g5.48xlarge\r\nBcc: x@y.z ${'é'.repeat(200)}`, rule: 'max-runtime' }),
      );
      expect(subject.length).toBeLessThanOrEqual(100);
      expect(subject).toMatch(/^[\x20-\x7e]+$/);
      expect(subject.startsWith(mode === 'dry-run' ? '[gpu-reaper][DRY RUN] ' : '[gpu-reaper] ')).toBe(true);
    }
  });

  it('drops the instance type before cutting a subject that is too long', () => {
    const { subject } = renderNotification(makeEvent({ instanceType: 'x'.repeat(90) }));
    expect(subject).toBe('[gpu-reaper] WARNED i-0abc: idle - stop at 14:05 UTC');
  });
});

describe('renderNotification text per event', () => {
  it.each([
    ['WARNED', 'stop', 'idle', 'will be stopped at 2024-05-01 14:05 UTC (in 30m) because its GPUs were idle'],
    ['STOPPED', 'stop', 'idle', 'was stopped at 2024-05-01 13:35 UTC'],
    ['TERMINATED', 'terminate', 'expired', 'Termination cannot be undone'],
    ['TERMINATED', 'stop', 'idle', 'was terminated at 2024-05-01 13:35 UTC because its GPUs were idle'],
    ['CLEARED', 'stop', 'idle', 'is withdrawn: it will not be stopped at 2024-05-01 14:05 UTC. Why: GPU max'],
    [
      'SKIPPED',
      'stop',
      'protected',
      'could not act on GPU instance i-0abc (g5.12xlarge) in us-east-1: stop protection is on',
    ],
    ['SKIPPED', 'terminate', 'protected', 'termination protection is on, so it was not terminated'],
    ['SKIPPED', 'stop', 'capped', 'was not stopped in this pass because this pass reached its limit of actions'],
    [
      'NOTIFIED',
      null,
      'no-telemetry',
      'amazon-cloudwatch-agent-ctl -a append-config -m ec2 -s -c ssm:AmazonCloudWatch-gpu-reaper',
    ],
    ['NOTIFIED', 'notify', 'idle', 'The reaper only tells you; it takes no action on it.'],
    ['ERROR', 'stop', 'idle', 'The reaper failed to stop GPU instance i-0abc'],
  ] as const)('%s (%s, %s) says what happened', (event, action, rule, expected) => {
    expect(renderNotification(makeEvent({ event, action, rule })).text).toContain(expected);
  });

  it('says what a dry run would have done and that nothing was done', () => {
    const { text } = renderNotification(makeEvent({ event: 'WOULD_TERMINATE', action: 'terminate', mode: 'dry-run' }));
    expect(text).toContain('would have been terminated at 2024-05-01 13:35 UTC');
    expect(text).toContain('Nothing was terminated.');
  });

  it.each(ALL_EVENTS)('says [DRY RUN] and that nothing was stopped in every dry-run %s message', (event) => {
    const { text } = renderNotification(makeEvent({ event, mode: 'dry-run' }));
    expect(text.startsWith('[DRY RUN] The reaper runs in dry-run mode: nothing was stopped or terminated.')).toBe(true);
  });

  it.each(ALL_EVENTS)('never says [DRY RUN] in an enforce-mode %s message', (event) => {
    const { subject, text } = renderNotification(makeEvent({ event }));
    expect(`${subject}\n${text}`).not.toContain('DRY RUN');
  });

  it('lists what, why with the evidence, and when', () => {
    const { text } = renderNotification(makeEvent());
    for (const line of [
      'Event: WARNED (mode enforce)',
      'Instance: i-0abc',
      'Type: g5.12xlarge',
      'Region: us-east-1',
      'Account: 123456789012',
      'Owner: alice@example.com',
      'Rule: idle',
      'Reason: GPU max 2% < 5% over 1h',
      'Window: 2024-05-01 12:35 UTC to 2024-05-01 13:35 UTC (1h)',
      'Datapoints: 58 (coverage 97%, at least 80% needed)',
      'Max GPU utilization: 2% (threshold 5%)',
      'Launched: 2024-05-01 01:00 UTC (running for 12h35m)',
      'Planned stop: 2024-05-01 14:05 UTC (in 30m)',
    ]) {
      expect(text).toContain(`  ${line}\n`);
    }
  });

  it('counts relative times from the given clock', () => {
    const { text } = renderNotification(makeEvent(), new Date('2024-05-01T14:00:00.000Z'));
    expect(text).toContain('Planned stop: 2024-05-01 14:05 UTC (in 5m)');
    expect(text).toContain('Warned at: 2024-05-01 13:35 UTC (25m ago)');
  });

  it('says when no GPU datapoint arrived and no owner is known', () => {
    const evidence = { ...makeEvent().evidence, maxUtilization: null, datapoints: 0, coverage: 0 };
    const { text } = renderNotification(makeEvent({ event: 'NOTIFIED', rule: 'no-telemetry', owner: null, evidence }));
    expect(text).toContain('Max GPU utilization: no data (threshold 5%)');
    expect(text).toContain('Owner: unknown (no owner tag)');
  });

  it('explains max-runtime and expired with their limits', () => {
    const evidence = { ...makeEvent().evidence, maxRuntime: '12h', deadline: '2024-05-01T13:00:00.000Z' };
    expect(renderNotification(makeEvent({ rule: 'max-runtime', evidence })).text).toContain(
      'maximum runtime of 12h since its last start',
    );
    const expired = { ...makeEvent().evidence, expiresAt: '2024-05-01T12:00:00Z' };
    expect(renderNotification(makeEvent({ rule: 'expired', evidence: expired })).text).toContain(
      'past its expiry time (2024-05-01 12:00 UTC)',
    );
  });
});

describe('renderNotification cost', () => {
  it('multiplies the running hours by the hourly price', () => {
    const evidence = { ...makeEvent().evidence, runningForMinutes: 90 };
    const { text } = renderNotification(makeEvent({ hourlyUsd: 2, evidence }));
    expect(text).toContain('About $3.00 since its last start: 1.5 h at $2.00/h');
    expect(text).toContain('Running until the planned stop adds about $1.00.');
  });

  it('says price unknown when the price is not known', () => {
    const evidence = { ...makeEvent().evidence, idleUsd: null };
    const { text } = renderNotification(makeEvent({ hourlyUsd: null, evidence }));
    expect(text).toContain('Price unknown for g5.12xlarge; running for 12.6 h since its last start.');
    expect(text).toContain('Idle for 1h30m (price unknown, so the cost of that idle time is too).');
    expect(text).not.toContain('$');
  });

  it('reports how long the GPUs sat idle and the money burned meanwhile', () => {
    const evidence = { ...makeEvent().evidence, idleMinutes: 130, idleUsd: 12.29 };
    const { text } = renderNotification(makeEvent({ evidence }));
    expect(text).toContain('Idle for 2h10m: about $12.29 burned while the GPUs did no work.');
  });

  it.each([
    [0, 'Not idle: the GPU was busy in the latest minute.'],
    [null, 'Idle time unknown: the GPU telemetry is too sparse to tell.'],
  ])('reports an idle time of %s in words, never as money', (idleMinutes, sentence) => {
    const evidence = { ...makeEvent().evidence, idleMinutes, idleUsd: idleMinutes === 0 ? 0 : null };
    const { text } = renderNotification(makeEvent({ evidence }));
    expect(text).toContain(sentence);
    expect(text).not.toContain('burned');
  });

  it('keeps the idle numbers in the JSON variant', () => {
    const { json } = renderNotification(makeEvent());
    expect(json.evidence).toMatchObject({ idleMinutes: 90, idleUsd: 8.51 });
    expect(json.hourlyUsd).toBe(5.672);
  });
});

describe('renderNotification keep-it tags', () => {
  const prefix = 'acme:reaper/';
  const command = (key: string, value: string) =>
    `aws ec2 create-tags --resources i-0abc --tags Key=${prefix}${key},Value=${value} --region us-east-1`;

  it.each([
    ['idle', 'snooze-until', '2024-05-02T13:35:00Z'],
    ['never-used', 'snooze-until', '2024-05-02T13:35:00Z'],
    ['no-telemetry', 'snooze-until', '2024-05-02T13:35:00Z'],
    ['max-runtime', 'max-runtime', '36h'],
    ['expired', 'expires-at', '2024-05-02T13:35:00Z'],
  ] as const)('offers opt-out and %s → %s with the custom prefix and the CLI command', (rule, key, value) => {
    const { text } = renderNotification(makeEvent({ rule, tagPrefix: prefix, evidence: { ...makeEvent().evidence } }));
    expect(text).toContain(`${prefix}opt-out=true\n`);
    expect(text).toContain(command('opt-out', 'true'));
    expect(text).toContain(`${prefix}${key}=${value}\n`);
    expect(text).toContain(command(key, value));
    expect(text).not.toContain('gpu-reaper:');
  });

  it('suggests a max-runtime beyond what the instance already ran', () => {
    const evidence = { ...makeEvent().evidence, runningForMinutes: 40 * 60 + 1 };
    expect(renderNotification(makeEvent({ rule: 'max-runtime', evidence })).text).toContain(
      'gpu-reaper:max-runtime=72h',
    );
  });

  it('offers only opt-out once a warning is cleared', () => {
    const { text } = renderNotification(makeEvent({ event: 'CLEARED' }));
    expect(text).toContain('gpu-reaper:opt-out=true');
    expect(text).not.toContain('snooze-until');
  });

  it('tells how to start a stopped instance again', () => {
    expect(renderNotification(makeEvent({ event: 'STOPPED' })).text).toContain(
      'aws ec2 start-instances --instance-ids i-0abc --region us-east-1',
    );
  });

  it('quotes a prefix that the shell would split', () => {
    const { text } = renderNotification(makeEvent({ tagPrefix: "team's reaper:" }));
    expect(text).toContain(`--tags 'Key=team'\\''s reaper:opt-out,Value=true' --region us-east-1`);
  });
});

describe('renderNotification with hostile tag values', () => {
  const hostile = `alice\r\nSubject: you won\u0000\u001b[31m\u202egnp.exe ${'x'.repeat(5_000)}`;

  it.each(ALL_EVENTS)('strips control characters and truncates owner and reason in %s', (event) => {
    const { subject, text } = renderNotification(
      makeEvent({ event, owner: hostile, reason: `bad tag gpu-reaper:max-runtime=${hostile}` }),
    );
    expect(text).not.toMatch(UNSAFE);
    expect(subject).not.toMatch(UNSAFE);
    expect(text).toContain('Owner: alice Subject: you won [31m gnp.exe xxx');
    expect(text).not.toContain('\nSubject: you won');
    const ownerLine = text.split('\n').find((line) => line.startsWith('  Owner: ')) ?? '';
    expect(ownerLine.length).toBeLessThanOrEqual(2 + 'Owner: '.length + 200);
    expect(text.length).toBeLessThan(10_000);
  });

  it('cleans string evidence that echoes tag values', () => {
    const evidence = { ...makeEvent().evidence, maxRuntime: '12h\n\nFAKE SECTION', snoozeUntil: 'soon\u0007' };
    const { text } = renderNotification(makeEvent({ rule: 'max-runtime', evidence }));
    expect(text).toContain('Max runtime: 12h FAKE SECTION');
    expect(text).toContain('Snoozed until: soon\n');
    expect(text).not.toMatch(UNSAFE);
  });
});

describe('renderNotification json', () => {
  it('carries every field of the event', () => {
    const event = makeEvent();
    expect(renderNotification(event).json).toEqual(event);
  });

  it('cuts huge evidence down to its known keys and says so', () => {
    const evidence = { ...makeEvent().evidence, series: Array.from({ length: 20_000 }, (_, at) => ({ at, max: 1 })) };
    const { json } = renderNotification(makeEvent({ evidence }));
    expect(json.evidence).toMatchObject({ truncated: true, datapoints: 58, threshold: 5 });
    expect(json.evidence).not.toHaveProperty('series');
    expect(JSON.stringify(json).length).toBeLessThan(40_000);
  });
});

describe('renderNotification for an instance set up for hibernation', () => {
  const sleepy = (overrides: Partial<ReaperEvent> = {}) =>
    makeEvent({ ...overrides, evidence: { ...makeEvent().evidence, hibernate: true } });

  it('warns that it will be hibernated and what that keeps', () => {
    const { subject, text } = renderNotification(sleepy());
    expect(subject).toBe('[gpu-reaper] WARNED i-0abc (g5.12xlarge): idle - hibernate at 14:05 UTC');
    expect(text).toContain('will be hibernated at 2024-05-01 14:05 UTC (in 30m) because its GPUs were idle');
    expect(text).toContain('its memory (running processes, notebook kernels) is saved to its EBS root volume');
  });

  it('says it was hibernated, and that starting it restores its memory', () => {
    const { subject, text } = renderNotification(sleepy({ event: 'STOPPED' }));
    expect(subject).toBe('[gpu-reaper] STOPPED i-0abc (g5.12xlarge): idle - hibernated');
    expect(text).toContain('was hibernated at 2024-05-01 13:35 UTC because its GPUs were idle');
    expect(text).toContain('It is hibernated, not deleted: starting it again restores its memory.');
    expect(text).toContain('aws ec2 start-instances --instance-ids i-0abc');
  });

  it('says it would have been hibernated in dry-run', () => {
    const { subject, text } = renderNotification(sleepy({ event: 'WOULD_STOP', mode: 'dry-run' }));
    expect(subject).toContain('idle - would hibernate, nothing done');
    expect(text).toContain('would have been hibernated');
  });

  it('says nothing of hibernation for a plain stop or a terminate', () => {
    expect(renderNotification(makeEvent({ event: 'STOPPED' })).text).not.toMatch(/hibernat/);
    const terminated = renderNotification(sleepy({ event: 'TERMINATED', action: 'terminate' }));
    expect(terminated.text).not.toMatch(/hibernat/);
  });
});
