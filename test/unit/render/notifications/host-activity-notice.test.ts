/**
 * What an owner reads about the host: the "Host:" line of the evidence, the quiet host in a warning, the
 * `gpu-idle-host-busy` question (email and chat), and a warning withdrawn because the host started working. Every
 * decision comes from the engine, with EC2 host periods in its telemetry, turned into the event a pass sends.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/schema';
import type { AuditEventName } from '../../../../shared/core/events';
import {
  type Decision,
  decideInstance,
  type GpuTelemetry,
  type HostPoint,
  type HostSamples,
} from '../../../../shared/engine';
import { buildEvent } from '../../../../shared/pass/event-builder';
import { chatbotMessage } from '../../../../shared/render/notifications/chatbot-message';
import { boundEvidence } from '../../../../shared/render/notifications/event-json';
import { renderNotification } from '../../../../shared/render/notifications/notification';
import { ago, instance, NOW, points, telemetry, warning } from '../../engine/fixtures';

const MiB = 1024 * 1024;
const FIVE_MINUTES = 5 * 60_000;

/** EC2 basic-monitoring periods over the last `span`: each with this CPU maximum (`null`: none) and network rate. */
function host(cpu: number | null, mibPerMinute: number, span = '3h'): HostSamples {
  const list: HostPoint[] = [];
  for (let at = ago(span).getTime(); at < NOW.getTime(); at += FIVE_MINUTES) {
    list.push({ at, cpuMax: cpu, networkBytes: mibPerMinute * MiB * 5 });
  }
  return { status: 'ok', points: list, from: ago(span) };
}

/** The engine's decision for a g5.xlarge ($1.006/h) launched 3h ago, unless `launched` says otherwise. */
function decision(
  series: GpuTelemetry,
  options: { launched?: string; pending?: Parameters<typeof warning>; config?: object; price?: number | null } = {},
): Decision {
  return decideInstance(
    {
      instance: instance({ launchTime: ago(options.launched ?? '3h') }),
      telemetry: series,
      warning: options.pending ? warning(...options.pending) : null,
      hourlyUsd: options.price === undefined ? 1.006 : options.price,
    },
    parseConfig(options.config ?? {}),
    NOW,
  );
}

const stamp = (mode: 'dry-run' | 'enforce' = 'enforce') => ({
  passId: 'p-1',
  now: NOW,
  mode,
  configHash: 'c',
  tagPrefix: 'gpu-reaper:',
  accountIdOf: () => '123456789012',
});

/** The event a pass sends for `d`; a CLEARED one names the withdrawn warning's rule and time, as carry-out does. */
function eventOf(d: Decision, name: AuditEventName, mode: 'dry-run' | 'enforce' = 'enforce') {
  if (name !== 'CLEARED' || d.warningChange.kind !== 'clear') return buildEvent(stamp(mode), d, name);
  const { previous } = d.warningChange;
  return buildEvent(stamp(mode), { ...d, rule: previous.rule, actAt: previous.actAt.toISOString() }, name);
}

/** The indented lines of one section of the email text. */
function sectionOf(text: string, title: string): string[] {
  const start = text.indexOf(`\n${title}\n`);
  expect(start, `a "${title}" section`).toBeGreaterThan(-1);
  const rest = text.slice(start + title.length + 2);
  return rest.slice(0, rest.indexOf('\n\n')).split('\n');
}

const hostLineOf = (text: string) => sectionOf(text, 'Why').find((line) => line.startsWith('  Host: '));

// Launched 35m ago, GPU at 0% since: never-used after the agent's first 10 minutes (11:35 to 12:00, 5 periods).
const neverUsedGpu = telemetry(points(0, { span: '35m' }), { from: ago('2h') });

describe('the Host line of a warning', () => {
  it('shows a quiet host with its numbers and where they come from, and says so in the opening sentence', () => {
    const d = decision({ ...neverUsedGpu, host: host(1, 0.5) }, { launched: '35m' });
    expect(d).toMatchObject({ outcome: 'warn', rule: 'never-used' });
    const { text } = renderNotification(eventOf(d, 'WARNED'));
    expect(hostLineOf(text)).toBe(
      '  Host: quiet - CPU max 1%, network up to 0.5 MiB/min; busy in 0 of 5 5-minute periods ' +
        '(AWS/EC2, 2025-06-02 11:35 UTC to 2025-06-02 12:00 UTC)',
    );
    expect(text).toContain(
      'because its GPUs were never used: GPU utilization never reached 5% since it started, and its host was quiet too.',
    );
  });

  it('says an idle notebook on a quiet host was idle with nothing else working either', () => {
    const gpu = telemetry(points(0, { span: '2h' }), { from: ago('2h') });
    // GPUs busy until 1h30m ago, then idle: idle for the last 1h (not yet the 2h of gpu-idle-host-busy).
    const busyThenIdle = telemetry(
      points((i) => (i < 30 ? 90 : 0), { span: '2h' }),
      { from: ago('2h') },
    );
    for (const series of [gpu, busyThenIdle]) {
      const d = decision({ ...series, host: host(2, 0.2) });
      expect(d.rule).toBe('idle');
      const { text } = renderNotification(eventOf(d, 'WARNED'));
      expect(text).toContain('stayed below 5%, and its host was quiet too.');
      expect(hostLineOf(text)).toBe(
        '  Host: quiet - CPU max 2%, network up to 0.2 MiB/min; busy in 0 of 12 5-minute periods ' +
          '(AWS/EC2, 2025-06-02 11:00 UTC to 2025-06-02 12:00 UTC)',
      );
    }
  });

  it('never says "no data" when there was data: a period without CPU still shows its network', () => {
    const d = decision({ ...neverUsedGpu, host: host(null, 0.5) }, { launched: '35m' });
    const line = hostLineOf(renderNotification(eventOf(d, 'WARNED')).text);
    expect(line).toMatch(
      /^ {2}Host: quiet - CPU unknown, network up to 0\.5 MiB\/min; busy in 0 of 5 5-minute periods/,
    );
    expect(line).not.toContain('no data');
  });

  it.each([
    ['sends no host datapoint', { status: 'ok', points: [] } as HostSamples, 'no host datapoint'],
    [
      'could not read the host metrics',
      { status: 'error', points: [], error: 'GetMetricData: Throttling' } as HostSamples,
      'the host metrics could not be read (GetMetricData: Throttling)',
    ],
    ['reported 2 of 5 periods', host(60, 300, '35m').points.slice(2, 4), 'only 2 of 5 host periods have data'],
  ])('says the host is unknown and the GPUs were judged alone when it %s', (_, samples, because) => {
    const hostSamples = Array.isArray(samples)
      ? ({ status: 'ok', points: samples, from: ago('35m') } as HostSamples)
      : samples;
    const d = decision({ ...neverUsedGpu, host: hostSamples }, { launched: '35m' });
    expect(d).toMatchObject({ outcome: 'warn', rule: 'never-used' });
    const { text } = renderNotification(eventOf(d, 'WARNED'));
    expect(hostLineOf(text)).toBe(`  Host: unknown (${because}): the GPUs were judged alone`);
    // Unknown is no quiet host: the opening sentence claims nothing about it.
    expect(text).not.toContain('its host was quiet');
  });

  it('says "not read" when the pass read no host metrics for it', () => {
    const d = decision(neverUsedGpu, { launched: '35m' });
    const line = hostLineOf(renderNotification(eventOf(d, 'WARNED')).text);
    expect(line).toBe('  Host: unknown (not read): the GPUs were judged alone');
  });

  it('has no Host line with activity.host.enabled false', () => {
    const d = decision(
      { ...neverUsedGpu, host: host(1, 0.5) },
      { launched: '35m', config: { activity: { host: { enabled: false } } } },
    );
    const { text } = renderNotification(eventOf(d, 'WARNED'));
    expect(hostLineOf(text)).toBeUndefined();
    expect(text).not.toContain('its host');
  });

  it('ignores host evidence of the wrong shape (read back from the audit) and cleans the unknown cause', () => {
    const d = decision({ ...neverUsedGpu, host: host(1, 0.5) }, { launched: '35m' });
    const broken = {
      ...d,
      evidence: { ...d.evidence, host: { state: 'busy', periods: 'many' } },
    } as unknown as Decision;
    expect(hostLineOf(renderNotification(eventOf(broken, 'WARNED')).text)).toBeUndefined();
    const unknown = { state: 'unknown', periods: 0, reportedPeriods: 0, busyPeriods: 0, cpuMax: null } as const;
    const odd = {
      ...d,
      evidence: {
        ...d.evidence,
        host: {
          ...unknown,
          from: 'x',
          to: 'y',
          networkMiBPerMinuteMax: null,
          period: null,
          unknownBecause: 'a\nBcc: x',
        },
      },
    } as Decision;
    const line = hostLineOf(renderNotification(eventOf(odd, 'WARNED')).text);
    expect(line).toMatch(/^ {2}Host: unknown \(a Bcc: x\): the GPUs were judged alone$/);
  });
});

describe('the gpu-idle-host-busy notice', () => {
  // GPUs at 0% for the last 2h while the host works at CPU 70%, 2 MiB/min: a CPU job on a GPU instance.
  const cpuJob = { ...telemetry(points(0, { span: '2h' }), { from: ago('2h') }), host: host(70, 2) };
  const notice = decision(cpuJob);

  it('is the engine decision this describes', () => {
    expect(notice).toMatchObject({ outcome: 'notify', rule: 'gpu-idle-host-busy', action: 'notify' });
    expect(notice.evidence).toMatchObject({ idleMinutes: 120, idleUsd: 2.01 });
  });

  it('asks in its subject and opening whether this is a CPU job, and says nothing is stopped for it', () => {
    const { subject, text } = renderNotification(eventOf(notice, 'NOTIFIED'));
    expect(subject).toBe('[gpu-reaper] NOTIFIED i-0aaaaaaaaaaaaaaa1 (g5.xlarge): GPUs unused, host busy - a CPU job?');
    expect(text.split('\n\n')[0]).toBe(
      'Is GPU instance i-0aaaaaaaaaaaaaaa1 (g5.xlarge) in us-east-1 running a CPU job? Its GPUs have been unused for ' +
        '2h while its host works (CPU max 70%, network up to 2 MiB/min; busy in 24 of 24 5-minute periods). ' +
        'Nothing is stopped for this; its max runtime and expiry still apply.',
    );
  });

  it('shows the host over the last notifyAfter as its evidence', () => {
    const { text } = renderNotification(eventOf(notice, 'NOTIFIED'));
    const why = sectionOf(text, 'Why');
    expect(why).toContain('  Rule: gpu-idle-host-busy');
    expect(why).toContain('  Window: 2025-06-02 10:00 UTC to 2025-06-02 12:00 UTC (2h)');
    expect(hostLineOf(text)).toBe(
      '  Host: busy - CPU max 70%, network up to 2 MiB/min; busy in 24 of 24 5-minute periods ' +
        '(AWS/EC2, 2025-06-02 10:00 UTC to 2025-06-02 12:00 UTC)',
    );
  });

  it('says what the unused GPUs cost so far, never that they "burned" idle', () => {
    const { text } = renderNotification(eventOf(notice, 'NOTIFIED'));
    expect(sectionOf(text, 'Cost so far')).toEqual([
      '  About $3.02 since its last start: 3.0 h at $1.006/h (on-demand price; Spot, Savings Plans or reservations may cost less).',
      '  GPUs unused for 2h: about $2.01 so far at $1.006/h, paid for GPUs that did no work.',
    ]);
    const unpriced = renderNotification(eventOf(decision(cpuJob, { price: null }), 'NOTIFIED')).text;
    expect(sectionOf(unpriced, 'Cost so far')).toContain(
      '  GPUs unused for 2h (price unknown, so what they cost unused is too).',
    );
  });

  it('suggests a CPU instance type, says it is told once, and that max runtime still applies', () => {
    const { text } = renderNotification(eventOf(notice, 'NOTIFIED'));
    expect(sectionOf(text, 'What you can do')).toEqual([
      '  If this is CPU work (a download, preprocessing, a CPU stage), run it on a CPU instance type with the same vCPUs and memory (an m7i or c7i, for example): it costs much less; start the GPU instance for the GPU part.',
      '  If the GPUs get work soon, nothing to do: this notice comes once per launch.',
      '  Max runtime and expiry still apply: a long job needs a longer max-runtime tag (below).',
    ]);
  });

  it('offers a longer max runtime and opt-out as tags, not a snooze that nothing needs', () => {
    const keep = sectionOf(renderNotification(eventOf(notice, 'NOTIFIED')).text, 'How to keep it');
    expect(keep[0]).toBe(
      '  Nothing is stopped for this. To give a long job more time, or to keep it for good, set one of these tags:',
    );
    expect(keep).toContain('    Keep it for good (never warned or acted on): gpu-reaper:opt-out=true');
    expect(keep).toContain(
      '    Or give it a longer runtime since its last start (capped at the configured ceiling, 7d by default): gpu-reaper:max-runtime=36h',
    );
    expect(keep).toContain(
      '      aws ec2 create-tags --resources i-0aaaaaaaaaaaaaaa1 --tags Key=gpu-reaper:max-runtime,Value=36h --region us-east-1',
    );
    expect(keep.join('\n')).not.toContain('snooze-until');
  });

  it('asks the same in chat, with the dry-run banner in dry-run', () => {
    const message = chatbotMessage(eventOf(notice, 'NOTIFIED', 'dry-run'));
    expect(message.content.title).toBe(
      '[gpu-reaper][DRY RUN] NOTIFIED i-0aaaaaaaaaaaaaaa1 (g5.xlarge): GPUs unused, host busy - a CPU job?',
    );
    expect(message.content.description).toContain(
      'Is GPU instance i-0aaaaaaaaaaaaaaa1 (g5.xlarge) in us-east-1 running a CPU job? Its GPUs have been unused for 2h',
    );
    expect(message.content.description).toContain(
      'Nothing is stopped for this; its max runtime and expiry still apply.',
    );
    expect(message.content.keywords).toEqual(['NOTIFIED', 'gpu-idle-host-busy', 'dry-run']);
  });

  it('keeps the host evidence for machines even when the evidence is cut to its known keys', () => {
    const bounded = boundEvidence({ ...notice.evidence, huge: 'x'.repeat(40_000) });
    expect(bounded.truncated).toBe(true);
    expect(bounded.host).toMatchObject({ state: 'busy', periods: 24, busyPeriods: 24, cpuMax: 70 });
  });
});

describe('a warning withdrawn because the host started working', () => {
  // Idle warning due 1m ago; at the action pass the host turns out busy over the idle window.
  const gpu = telemetry(
    points((i) => (i < 30 ? 90 : 0), { span: '2h' }),
    { from: ago('2h') },
  );

  it('says the host is working, the stop is off, and why, with the host numbers', () => {
    const cleared = decision({ ...gpu, host: host(95, 1) }, { pending: ['idle', ago('1m'), ago('31m')] });
    expect(cleared.warningChange.kind).toBe('clear');
    const { subject, text } = renderNotification(eventOf(cleared, 'CLEARED'));
    expect(subject).toBe('[gpu-reaper] CLEARED i-0aaaaaaaaaaaaaaa1 (g5.xlarge): idle warning withdrawn');
    expect(text.split('\n\n')[0]).toBe(
      'The warning for GPU instance i-0aaaaaaaaaaaaaaa1 (g5.xlarge) in us-east-1 is withdrawn: its host is working, ' +
        'so it will not be stopped at 2025-06-02 11:59 UTC. Why: warning for idle (stop) cleared: GPU idle for the ' +
        'last 1h (max 0%), but the host is busy: CPU max 95%, network up to 1 MiB/min; busy in 12 of 12 5-minute ' +
        'periods; the host is working (preprocessing, a download, a CPU stage?), not idle.',
    );
    expect(hostLineOf(text)).toBe(
      '  Host: busy - CPU max 95%, network up to 1 MiB/min; busy in 12 of 12 5-minute periods ' +
        '(AWS/EC2, 2025-06-02 11:00 UTC to 2025-06-02 12:00 UTC)',
    );
  });

  it('does not credit the host when the warning is withdrawn for another reason', () => {
    // The GPU got busy again: the host is quiet, the GPUs are what changed.
    const busyGpu = telemetry(
      points((i) => (i > 55 ? 80 : 0), { span: '1h' }),
      { from: ago('2h') },
    );
    const cleared = decision({ ...busyGpu, host: host(1, 0.1) }, { pending: ['idle', ago('1m'), ago('31m')] });
    expect(cleared.warningChange.kind).toBe('clear');
    const { text } = renderNotification(eventOf(cleared, 'CLEARED'));
    expect(text).toContain('is withdrawn: it will not be stopped at 2025-06-02 11:59 UTC.');
    expect(text).not.toContain('its host is working');
  });
});
