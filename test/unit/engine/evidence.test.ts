/**
 * What a decision records as evidence: the numbers an audit item keeps so any outcome can be explained later,
 * including the window each rule looked at (which is not always the idle window).
 */
import { describe, expect, it } from 'vitest';
import { ago, decide, failed, missing, NOW, points, telemetry } from './fixtures';

const windowOf = (span: string, minutes: number) => ({
  from: ago(span).toISOString(),
  to: NOW.toISOString(),
  minutes,
});

describe('the evidence of every decision', () => {
  it('records the idle window it looked at, even when nothing applies', () => {
    const decision = decide({ telemetry: telemetry(points(80)) });
    expect(decision.outcome).toBe('keep');
    expect(decision.evidence.window).toEqual(windowOf('1h', 60));
  });

  it('records why the telemetry could not be read, clipped like any untrusted text', () => {
    const decision = decide({ telemetry: failed(`GetMetricData: ${'x'.repeat(100)}`) });
    expect(decision.outcome).toBe('error');
    expect(decision.evidence.telemetryError).toBe(`GetMetricData: ${'x'.repeat(49)}…`);
  });

  it('records no read error when the telemetry was read', () => {
    expect(decide({ telemetry: telemetry(points(80)) }).evidence).not.toHaveProperty('telemetryError');
  });
});

describe('the evidence of a rule', () => {
  it('records the run since launch that never-used judged: after the agent start-up, up to this minute', () => {
    const decision = decide({ instance: { launchTime: ago('45m') }, telemetry: telemetry(points(0, { span: '45m' })) });
    expect(decision.rule).toBe('never-used');
    expect(decision.evidence.window).toEqual(windowOf('35m', 35));
    expect(decision.evidence).toMatchObject({ datapoints: 35, coverage: 1 });
  });

  it('records the noTelemetry.after window that no-telemetry looked at', () => {
    const decision = decide({ telemetry: missing() });
    expect(decision.rule).toBe('no-telemetry');
    expect(decision.evidence).toMatchObject({
      window: windowOf('30m', 30),
      datapoints: 0,
      coverage: 0,
      maxUtilization: null,
    });
  });

  it('records the Auto Scaling group of a member it leaves alone', () => {
    const decision = decide({ instance: { tags: { 'aws:autoscaling:groupName': 'training-asg' } } });
    expect(decision.evidence.autoScalingGroup).toBe('training-asg');
  });

  it('records the tag that marks an instance as managed by another service', () => {
    const decision = decide({ instance: { tags: { 'kubernetes.io/cluster/ml': 'owned' } } });
    expect(decision.evidence.managedByTag).toBe('kubernetes.io/cluster/ml');
  });
});
