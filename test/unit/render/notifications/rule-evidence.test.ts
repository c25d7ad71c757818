/**
 * What an owner reads under "Why" must be one set of numbers: the window shown is the window the rule judged, and
 * the reason and the evidence lines give the same datapoints, minutes and rounded percentages.
 */
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../../shared/engine';
import { buildEvent } from '../../../../shared/pass/event-builder';
import { renderNotification } from '../../../../shared/render/notifications/notification';
import { ago, decide, NOW, points, telemetry } from '../../engine/fixtures';

/** The "Why" lines of the WARNED email for `decision`, as the pass would send it. */
function why(decision: Decision): { reason: string; lines: string[] } {
  const stamp = { passId: 'p-1', now: NOW, mode: 'enforce', configHash: 'c', tagPrefix: 'gpu-reaper:' } as const;
  const event = buildEvent({ ...stamp, accountIdOf: () => '123456789012' }, decision, 'WARNED');
  const text = renderNotification(event).text;
  const section = text.slice(text.indexOf('\nWhy\n'), text.indexOf('\nWhen\n'));
  return { reason: decision.reason, lines: section.split('\n').map((line) => line.trim()) };
}

/** The reason's `<datapoints>/<minutes> min` and `coverage <n>%`, and the evidence lines' own. */
function numbers({ reason, lines }: { reason: string; lines: string[] }) {
  const ratio = /(\d+)\/(\d+) min/.exec(reason);
  const windowLine = lines.find((line) => line.startsWith('Window: ')) ?? '';
  const datapointsLine = lines.find((line) => line.startsWith('Datapoints: ')) ?? '';
  return {
    reason: {
      datapoints: ratio?.[1],
      minutes: ratio?.[2],
      coverage: /coverage (\d+(?:\.\d+)?%)/.exec(reason)?.[1],
      max: /max (\d+(?:\.\d+)?%)/i.exec(reason)?.[1],
    },
    evidence: {
      datapoints: /^Datapoints: (\d+)/.exec(datapointsLine)?.[1],
      coverage: /coverage (\d+(?:\.\d+)?%)/.exec(datapointsLine)?.[1],
      max: /^Max GPU utilization: (\d+(?:\.\d+)?%)/.exec(lines.find((l) => l.startsWith('Max GPU')) ?? '')?.[1],
      window: windowLine,
    },
  };
}

describe('the never-used evidence an owner reads', () => {
  // Launched 09:00, read at 12:00: the last hour read per minute (57 of 60 minutes), the 110 minutes from the
  // end of the agent's start-up (09:10) to 11:00 known from the since-launch read (100 of them covered).
  const decision = decide({
    instance: { launchTime: ago('3h') },
    telemetry: telemetry(
      points(1).filter((_, i) => i % 20 !== 5),
      { sinceLaunchMax: 1.96, sinceLaunchCovered: 100 },
    ),
  });

  it('shows the window the rule judged: from the end of the agent start-up to the start of this minute', () => {
    expect(decision.rule).toBe('never-used');
    expect(why(decision).lines).toContain('Window: 2025-06-02 09:10 UTC to 2025-06-02 12:00 UTC (2h50m)');
  });

  it('gives the datapoints and the coverage of that same window, rounded as the reason rounds them', () => {
    const { lines } = why(decision);
    expect(decision.reason).toContain("157/170 min after the agent's first 10m have data, coverage 92%");
    expect(lines).toContain('Datapoints: 157 (coverage 92%, at least 80% needed)');
    expect(lines).toContain('Max GPU utilization: 2% (threshold 5%)');
    const { reason, evidence } = numbers(why(decision));
    expect(evidence).toMatchObject({ datapoints: reason.datapoints, coverage: reason.coverage, max: reason.max });
    expect(evidence.window).toContain(`(2h50m)`);
    expect(Number(reason.minutes)).toBe(170);
  });

  it('shows a launch inside the read window from its agent start-up too', () => {
    const recent = decide({ instance: { launchTime: ago('45m') }, telemetry: telemetry(points(0, { span: '45m' })) });
    expect(recent.rule).toBe('never-used');
    const { reason, evidence } = numbers(why(recent));
    expect(evidence.window).toBe('Window: 2025-06-02 11:25 UTC to 2025-06-02 12:00 UTC (35m)');
    expect(reason).toMatchObject({ datapoints: '35', minutes: '35', coverage: '100%' });
    expect(evidence).toMatchObject({ datapoints: '35', coverage: '100%' });
  });
});

describe('the idle evidence an owner reads', () => {
  it('gives the same datapoints, coverage and maximum as the reason, over the idle window', () => {
    // 58 of the last 60 minutes, the busiest at 2.96%: "97%" and "3%" in the reason and in the evidence alike.
    const series = points((i) => (i === 7 ? 2.96 : 1)).filter((_, i) => i !== 10 && i !== 40);
    const decision = decide({ telemetry: telemetry(series) });
    expect(decision.rule).toBe('idle');
    const { lines } = why(decision);
    expect(decision.reason).toContain('GPU max 3% < 5% for every minute of the last 1h (58/60 min, coverage 97%)');
    expect(lines).toContain('Window: 2025-06-02 11:00 UTC to 2025-06-02 12:00 UTC (1h)');
    expect(lines).toContain('Datapoints: 58 (coverage 97%, at least 80% needed)');
    expect(lines).toContain('Max GPU utilization: 3% (threshold 5%)');
  });
});
