import { describe, expect, it } from 'vitest';
import { ago, decide, failed, later, missing, points, reaperTags, type Scenario, telemetry, warning } from './fixtures';

const idleSeries = telemetry(points(1));
const busySeries = telemetry(points(80));

describe('actions', () => {
  it.each<[string, Scenario, Partial<Record<'outcome' | 'action' | 'rule', unknown>>, string]>([
    [
      'the owner chose terminate',
      { instance: { tags: reaperTags({ action: 'TERMINATE' }) } },
      { outcome: 'warn', action: 'terminate' },
      'action terminate chosen by tag gpu-reaper:action',
    ],
    [
      'the config says notify',
      { config: { actions: { idle: 'notify' } } },
      { outcome: 'notify', action: 'notify', rule: 'idle' },
      'GPU max',
    ],
    [
      'an instance-store root cannot stop (default notify)',
      { instance: { rootDeviceType: 'instance-store' } },
      { outcome: 'notify', action: 'notify' },
      'stop impossible (instance-store root volume): notify instead',
    ],
    [
      'a one-time Spot instance cannot stop, whenStopImpossible terminate',
      { instance: { spot: { requestType: 'one-time' } }, config: { actions: { whenStopImpossible: 'terminate' } } },
      { outcome: 'warn', action: 'terminate' },
      'stop impossible (one-time Spot instance): terminate instead',
    ],
    [
      'a stop is impossible and whenStopImpossible is skip',
      { instance: { rootDeviceType: 'instance-store' }, config: { actions: { whenStopImpossible: 'skip' } } },
      { outcome: 'skip', action: null, rule: 'idle' },
      'skip instead',
    ],
    [
      'a persistent Spot instance can stop',
      { instance: { spot: { requestType: 'persistent' } } },
      { outcome: 'warn', action: 'stop' },
      'will stop',
    ],
    [
      'the owner chose stop on an instance-store root',
      {
        instance: { rootDeviceType: 'instance-store', tags: reaperTags({ action: 'stop' }) },
        config: { actions: { idle: 'terminate' } },
      },
      { outcome: 'notify', action: 'notify' },
      'stop impossible',
    ],
    [
      'terminate needs no stop',
      { instance: { rootDeviceType: 'instance-store' }, config: { actions: { idle: 'terminate' } } },
      { outcome: 'warn', action: 'terminate' },
      'will terminate',
    ],
  ])('decides when %s', (_, scenario, expected, why) => {
    const decision = decide({ telemetry: idleSeries, ...scenario });
    expect(decision).toMatchObject(expected);
    expect(decision.reason).toContain(why);
  });

  it('notifies at the deadline, not before, when a deadline rule only notifies', () => {
    const config = { actions: { maxRuntime: 'notify' as const } };
    expect(decide({ instance: { launchTime: ago('11h30m') }, telemetry: busySeries, config }).outcome).toBe('keep');
    expect(decide({ instance: { launchTime: ago('12h') }, telemetry: busySeries, config })).toMatchObject({
      outcome: 'notify',
      rule: 'max-runtime',
      action: 'notify',
    });
  });
});

describe('protection', () => {
  it.each<[string, Scenario['instance'], string, string | null]>([
    [
      'never stops with stop protection on',
      { protection: { stop: true, termination: false } },
      'skip',
      'stop protection is on',
    ],
    ['stops despite termination protection', { protection: { stop: false, termination: true } }, 'act', null],
    [
      'never terminates with termination protection on',
      { protection: { stop: false, termination: true }, tags: reaperTags({ action: 'terminate' }) },
      'skip',
      'termination protection is on',
    ],
    [
      'terminates despite stop protection',
      { protection: { stop: true, termination: false }, tags: reaperTags({ action: 'terminate' }) },
      'act',
      null,
    ],
    ['acts when protection is known to be off', { protection: { stop: false, termination: false } }, 'act', null],
  ])('%s', (_, overrides, outcome, why) => {
    const action = overrides?.tags ? 'terminate' : 'stop';
    const decision = decide({
      instance: overrides,
      telemetry: idleSeries,
      warning: warning('idle', ago('1m'), ago('31m'), action),
    });
    expect(decision.outcome).toBe(outcome);
    if (why) {
      expect(decision).toMatchObject({ rule: 'protected', action, actAt: null, warningChange: { kind: 'none' } });
      expect(decision.reason).toContain(`would ${action}, but ${why}`);
      expect(decision.evidence.protection).toEqual(overrides?.protection);
    }
  });

  it('never warns about an action protection forbids', () => {
    const decision = decide({ instance: { protection: { stop: true, termination: true } }, telemetry: idleSeries });
    expect(decision).toMatchObject({ outcome: 'skip', rule: 'protected', warningChange: { kind: 'none' } });
  });
});

describe('the decision', () => {
  it('carries the instance, the owner, evidence and executed false', () => {
    const decision = decide({ telemetry: telemetry(points(1), { gpuSeries: 4, source: 'per-gpu' }) });
    expect(decision).toMatchObject({
      instanceId: 'i-0aaaaaaaaaaaaaaa1',
      region: 'us-east-1',
      instanceType: 'g5.xlarge',
      owner: 'alice@example.com',
      executed: false,
      tagProblems: [],
    });
    expect(decision.evidence).toMatchObject({
      launchTime: ago('3h').toISOString(),
      runningForMinutes: 180,
      gpuCount: 1,
      gpuSource: 'instance-types',
      telemetry: 'ok',
      telemetrySource: 'per-gpu',
      gpuSeries: 4,
      datapoints: 60,
      coverage: 1,
      maxUtilization: 1,
      threshold: 5,
      minCoverage: 0.8,
    });
  });

  it('says when the GPU was assumed from the instance family', () => {
    const decision = decide({
      instance: { instanceType: 'g9.xlarge', gpu: { hasGpu: true, count: 1, source: 'family-fallback' } },
      telemetry: busySeries,
    });
    expect(decision.reason).toContain(
      'GPU assumed from the instance family (g9.xlarge unknown to DescribeInstanceTypes)',
    );
  });

  it('names every ignored tag, clipped, in the reason and in tagProblems', () => {
    const long = 'y'.repeat(200);
    const decision = decide({
      instance: { tags: reaperTags({ action: 'nuke', 'expires-at': long }) },
      telemetry: busySeries,
    });
    expect(decision.reason).toContain('tag gpu-reaper:action="nuke" ignored: must be one of stop, terminate, notify');
    expect(decision.reason).toContain(
      `tag gpu-reaper:expires-at="${'y'.repeat(64)}…" ignored: too long (200 characters)`,
    );
    expect(decision.tagProblems).toHaveLength(2);
  });

  it('ignores an owner choice of terminate outside actions.ownerChoices, as a tag problem: the rule acts as configured', () => {
    const decision = decide({
      instance: { tags: reaperTags({ action: 'terminate' }) },
      config: { actions: { ownerChoices: ['stop', 'notify'] } },
      telemetry: idleSeries,
    });
    expect(decision).toMatchObject({ outcome: 'warn', rule: 'idle', action: 'stop' });
    expect(decision.reason).toContain(
      'tag gpu-reaper:action="terminate" ignored: terminate is not allowed here (actions.ownerChoices: stop, notify)',
    );
    expect(decision.tagProblems).toEqual([
      {
        tag: 'gpu-reaper:action',
        value: 'terminate',
        message: 'terminate is not allowed here (actions.ownerChoices: stop, notify)',
      },
    ]);
  });

  it('keeps a fresh instance and a launch in the future alike', () => {
    expect(
      decide({ instance: { launchTime: ago('5m') }, telemetry: telemetry(points(1, { span: '5m' })) }),
    ).toMatchObject({
      outcome: 'keep',
    });
    const skewed = decide({ instance: { launchTime: later('2m') } });
    expect(skewed.evidence.runningForMinutes).toBe(0);
    expect(skewed.outcome).toBe('keep');
  });

  it('keeps an idle instance running for less than the window, saying why', () => {
    const decision = decide({
      instance: { launchTime: ago('3h') },
      telemetry: idleSeries,
      config: { idle: { enabled: false } },
    });
    expect(decision.reason).toContain('GPU below 5% in the last 1h, but the idle rule is disabled');
    const young = decide({
      instance: { launchTime: ago('50m') },
      telemetry: telemetry(points(1, { span: '1h' })),
      config: { neverUsed: { enabled: false } },
    });
    expect(young.reason).toContain('GPU below 5% in the last 1h, but running only 50m');
  });

  it('keeps an instance without a telemetry series when no-telemetry is off, saying so', () => {
    const decision = decide({ telemetry: missing(), config: { noTelemetry: { enabled: false } } });
    expect(decision.reason).toContain('GPU activity unknown (no telemetry series)');
  });

  it('says error with an unknown cause when the read failed without a message', () => {
    const decision = decide({ telemetry: { ...failed(), error: undefined } });
    expect(decision.reason).toContain('(unknown error)');
  });

  it('acts on a deadline rule even when the telemetry could not be read', () => {
    expect(decide({ instance: { launchTime: ago('13h') }, telemetry: failed() }).rule).toBe('max-runtime');
  });
});

describe('tag keys in another case', () => {
  it('never warns a busy run whose max-runtime tag key is in another case, before its own limit', () => {
    const decision = decide({
      instance: { launchTime: ago('11h5m'), tags: { 'Gpu-Reaper:Max-Runtime': '36h' } },
      telemetry: telemetry(points(97)),
    });
    expect(decision.outcome).toBe('keep');
  });

  it('skips an instance opted out under a key in another case or with a trailing space', () => {
    for (const key of ['Gpu-Reaper:Opt-Out', 'gpu-reaper:opt-out ']) {
      const decision = decide({ instance: { tags: { [key]: 'true' } }, telemetry: telemetry(points(1)) });
      expect(decision).toMatchObject({ outcome: 'skip', rule: 'opt-out' });
    }
  });
});
