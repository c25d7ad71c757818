import { describe, expect, it } from 'vitest';
import { replayFleet } from '../../../shared/engine/replay';
import { at, config, history, idleOnly, series, window } from './histories';

describe('replayFleet: spend', () => {
  it('reports spend by band, the unknown minutes of a short gap, and sums them into spendUsd', () => {
    const minutes = series(60, [0, 10, 2], [10, 10, 5], [20, 10, 30], [30, 10, 31], [45, 10, 50]);
    const result = replayFleet([history(minutes)], config(), window(60));
    const [instance] = result.instances;
    expect(instance?.spendByBand).toEqual({ below5: 10, from5to30: 20, above30: 20, unknown: 5 });
    expect(instance?.spendUsd).toBe(55);
    expect(result.fleet.spendUsd).toBe(55);
    expect(result.fleet.spendByBand).toEqual({ below5: 10, from5to30: 20, above30: 20, unknown: 5 });
  });

  it('says never used only when no minute of the whole history reached neverUsed.threshold', () => {
    const quiet = history(series(60, [0, 60, 4.9]), { instanceId: 'i-quiet' });
    const once = history(series(60, [0, 60, 1], [30, 1, 5]), { instanceId: 'i-once' });
    const result = replayFleet([quiet, once], config(), window(60));
    expect(result.instances.map((instance) => instance.neverUsed)).toEqual([true, false]);
    expect(result.fleet.neverUsed).toBe(1);
  });

  it('counts no spend for an unknown price, and says how many are unpriced', () => {
    const result = replayFleet([history(series(30, [0, 30, 50]), { hourlyUsd: null })], config(), window(30));
    expect(result.fleet.spendUsd).toBe(0);
    expect(result.fleet.unpriced).toBe(1);
  });

  it('leaves out instances outside scope.tags', () => {
    const team = history(series(30, [0, 30, 50]), { instanceId: 'i-ml', tags: { Purpose: 'ml' } });
    const other = history(series(30, [0, 30, 50]), { instanceId: 'i-web', tags: {} });
    const result = replayFleet([team, other], config({ scope: { tags: { Purpose: ['ml'] } } }), window(30));
    expect(result.instances.map((instance) => instance.instanceId)).toEqual(['i-ml']);
  });
});

describe('replayFleet: actions', () => {
  it('warns once the idle window has passed, then stops after warning.grace, saving the rest of the stretch', () => {
    // Running 300 minutes at 1 %: idle holds from the pass at minute 65 (running > 1h), the stop lands at 65 + 30.
    const result = replayFleet([history(series(300, [0, 300, 1]))], idleOnly(), window(300));
    const [instance] = result.instances;
    expect(instance?.warnings).toBe(1);
    expect(instance?.actions).toEqual([{ at: at(95), rule: 'idle', action: 'stop', savedUsd: 205, falseKill: false }]);
    expect(result.fleet).toMatchObject({ actions: 1, savedUsd: 205, falseKills: 0 });
  });

  it('acts on never-used before idle: warned after neverUsed.after, stopped after the grace', () => {
    const result = replayFleet([history(series(300, [0, 300, 1]))], config(), window(300));
    expect(result.instances[0]?.actions).toEqual([
      { at: at(65), rule: 'never-used', action: 'stop', savedUsd: 235, falseKill: false },
    ]);
  });

  it('follows the window and the grace of the config', () => {
    const result = replayFleet(
      [history(series(300, [0, 300, 1]))],
      idleOnly({ idle: { window: '30m' }, warning: { grace: '15m' }, actions: { idle: 'terminate' } }),
      window(300),
    );
    expect(result.instances[0]?.actions).toEqual([
      { at: at(50), rule: 'idle', action: 'terminate', savedUsd: 250, falseKill: false },
    ]);
  });

  it('counts a false kill when the GPU is busy again within 6 hours of the action, in the same stretch', () => {
    const minutes = series(300, [0, 200, 1], [200, 100, 80]);
    const result = replayFleet([history(minutes)], idleOnly(), window(300));
    expect(result.instances[0]?.actions).toEqual([
      { at: at(95), rule: 'idle', action: 'stop', savedUsd: 205, falseKill: true },
    ]);
    expect(result.fleet.falseKills).toBe(1);
  });

  it('is no false kill when the busy minute comes after 6 hours', () => {
    const minutes = series(600, [0, 460, 1], [460, 140, 80]);
    const result = replayFleet([history(minutes)], idleOnly(), window(600));
    expect(result.instances[0]?.actions[0]).toMatchObject({ at: at(95), falseKill: false, savedUsd: 505 });
  });

  it('keeps an instance off after an action until its next running stretch, which starts afresh', () => {
    const minutes = series(620, [0, 300, 1], [320, 300, 1]);
    const result = replayFleet([history(minutes)], idleOnly(), window(620));
    const [instance] = result.instances;
    expect(instance?.stretches).toBe(2);
    expect(instance?.actions.map((action) => [action.at, action.savedUsd])).toEqual([
      [at(95), 205],
      [at(415), 205],
    ]);
    expect(instance?.warnings).toBe(2);
  });

  it('drops a warning whose stretch ended before the action: a new stretch is a new launch', () => {
    // Warned at 65 (due 95), but the data stops at 80; the next stretch starts at 100 and is busy.
    const minutes = series(300, [0, 80, 1], [100, 200, 70]);
    const result = replayFleet([history(minutes)], idleOnly(), window(300));
    expect(result.instances[0]?.warnings).toBe(1);
    expect(result.instances[0]?.actions).toEqual([]);
  });

  it('stops a busy instance at its max runtime, and counts it a false kill', () => {
    const result = replayFleet([history(series(840, [0, 840, 50]))], config(), window(840));
    expect(result.instances[0]?.actions).toEqual([
      { at: at(720), rule: 'max-runtime', action: 'stop', savedUsd: 120, falseKill: true },
    ]);
  });

  it('never acts on an opted-out instance', () => {
    const optedOut = history(series(300, [0, 300, 1]), { tags: { 'gpu-reaper:opt-out': 'yes' } });
    const result = replayFleet([optedOut], config(), window(300));
    expect(result.fleet.actions).toBe(0);
    expect(result.fleet.warnings).toBe(0);
  });

  it('holds actions beyond maxActionsPerPass to the next pass', () => {
    const a = history(series(300, [0, 300, 1]), { instanceId: 'i-a' });
    const b = history(series(300, [0, 300, 1]), { instanceId: 'i-b' });
    const result = replayFleet([b, a], idleOnly({ maxActionsPerPass: 1 }), window(300));
    expect(result.instances.map((instance) => instance.actions[0]?.at)).toEqual([at(100), at(95)]);
  });

  it('holds idle back while telemetry is missing for more than half of the running fleet', () => {
    // Three instances start at minute 100 with no datapoint in their first minutes; only at the pass at 100 does
    // the brake see 3 of 4 missing. With grace 0 the idle one would act right there; braked, it acts at 105.
    const idle = history(series(300, [0, 300, 1]), { instanceId: 'i-idle' });
    const late = [1, 2, 3].map((n) => history(series(300, [100, 200, 60]), { instanceId: `i-late-${n}` }));
    const result = replayFleet([idle, ...late], idleOnly({ warning: { grace: '0m' } }), window(300));
    expect(result.instances[0]?.actions[0]?.at).toBe(at(65));
    const braked = replayFleet(
      [history(series(300, [35, 265, 1]), { instanceId: 'i-idle' }), ...late],
      idleOnly({ warning: { grace: '0m' } }),
      window(300),
    );
    expect(braked.instances[0]?.actions[0]?.at).toBe(at(105));
  });
});
