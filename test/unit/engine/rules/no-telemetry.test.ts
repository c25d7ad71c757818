import { describe, expect, it } from 'vitest';
import { noTelemetry } from '../../../../shared/engine/rules';
import { ago, context, decide, failed, missing, points, type Scenario, telemetry } from '../fixtures';

describe('no-telemetry: the rule', () => {
  it.each<[string, Scenario, boolean]>([
    ['notifies when no series exists', { telemetry: missing() }, true],
    ['notifies when the series has no datapoint', { telemetry: telemetry([]) }, true],
    [
      'notifies when the only datapoint is older than the window',
      { telemetry: telemetry(points(50, { span: '31m', until: '30m' })) },
      true,
    ],
    [
      'tells the owner when one datapoint is all the window has (too sparse to judge)',
      { telemetry: telemetry(points(0, { span: '30m', until: '29m' })) },
      true,
    ],
    [
      'tells the owner of an agent publishing every other minute (coverage 50%)',
      { telemetry: telemetry(points(0, { span: '5h', every: 2 })) },
      true,
    ],
    [
      'stays quiet when sparse data proves the GPU busy',
      { telemetry: telemetry(points(60, { span: '5h', every: 2 })) },
      false,
    ],
    ['stays quiet with a well-covered window', { telemetry: telemetry(points(0, { span: '5h' })) }, false],
    ['stays quiet when the read failed', { telemetry: failed() }, false],
    [
      'stays quiet when running exactly noTelemetry.after',
      { instance: { launchTime: ago('30m') }, telemetry: missing() },
      false,
    ],
    [
      'notifies when running just longer than noTelemetry.after',
      { instance: { launchTime: new Date(ago('30m').getTime() - 1) }, telemetry: missing() },
      true,
    ],
    [
      'stays quiet when the rule is disabled',
      { telemetry: missing(), config: { noTelemetry: { enabled: false } } },
      false,
    ],
  ])('%s', (_, scenario, holds) => {
    const found = noTelemetry(context(scenario));
    expect(found?.rule ?? null).toBe(holds ? 'no-telemetry' : null);
    if (found) expect(found.verdict).toBe('notify');
  });

  it.each([
    ['no series exists; is the CloudWatch agent running with its nvidia_smi plugin, or the gpumon script?', missing()],
    ['the series has no datapoint; has the agent stopped?', telemetry([])],
    [
      'GPU memory is published but no utilization: MIG mode reports no utilization_gpu, so the reaper cannot judge it',
      { ...missing(), mig: true },
    ],
  ])('names the sources and what is missing: %s', (what, series) => {
    expect(noTelemetry(context({ telemetry: series }))?.reason).toBe(
      `no GPU datapoint in the last 30m (CWAgent/nvidia_smi_utilization_gpu, DeepLearningTrain/GPU Usage: ${what})`,
    );
  });

  it('notifies the owner, and never warns of an action', () => {
    expect(decide({ telemetry: missing() })).toMatchObject({
      outcome: 'notify',
      rule: 'no-telemetry',
      action: 'notify',
      actAt: null,
      warningChange: { kind: 'none' },
    });
  });
});
