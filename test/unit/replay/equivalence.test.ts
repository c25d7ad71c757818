/**
 * The replay asks the engine only where a rule could act (pass-view.ts). This checks that shortcut against the
 * plain way: every pass, `decideFleet` over every running instance. Same actions, same warnings, on random fleets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../shared/config/schema';
import { decideFleet, lookbackMs, type WarningState } from '../../../shared/engine';
import { engineInput, findStretches, type InstanceHistory, replayFleet } from '../../../shared/engine/replay';
import { config, FROM, history, MINUTE_MS, window } from './histories';

const LENGTH = 24 * 60;

/** Every pass, every running instance through `decideFleet`: slow, and obviously what the contract asks for. */
function plainReplay(histories: readonly InstanceHistory[], policy: Config, scheduleMinutes: number) {
  const stretches = histories.map((entry) => findStretches(entry.minutes));
  const state = histories.map(() => ({ off: -1, warnedIn: -1, warning: null as WarningState | null }));
  const actions = histories.map(() => [] as [number, string | null][]);
  const warnings = histories.map(() => 0);
  const lookback = lookbackMs(policy);
  for (let minute = 0; minute < LENGTH; minute += scheduleMinutes) {
    const running: number[] = [];
    const inputs = [];
    for (const [index, entry] of histories.entries()) {
      const s = stretches[index]!;
      let stretch = -1;
      for (let k = 0; k < s.count; k++) if (s.starts[k]! <= minute && minute < s.ends[k]!) stretch = k;
      const own = state[index]!;
      if (stretch < 0 || own.off === stretch) continue;
      if (own.warnedIn !== stretch) own.warning = null;
      let peak = Number.NaN;
      for (let m = s.starts[stretch]!; m < minute; m++) {
        const value = entry.minutes[m] as number;
        if (value >= 0 && !(value <= peak)) peak = value;
      }
      // What the live since-launch read tells of the run before the window (agent start-up excluded).
      let covered = 0;
      const lookbackMinutes = lookback / MINUTE_MS;
      for (let m = s.starts[stretch]! + 10; m < minute - lookbackMinutes; m++) {
        if ((entry.minutes[m] as number) >= 0) covered += 1;
      }
      running.push(index);
      const clock = { fromMs: FROM.getTime(), minute, lookbackMs: lookback, scanned: 0, missing: 0 };
      const candidate = {
        history: entry,
        stretchStart: s.starts[stretch]!,
        sinceStartMax: peak,
        sinceStartCovered: covered,
        warning: own.warning,
      };
      inputs.push(engineInput(candidate, clock));
    }
    const { decisions } = decideFleet(inputs, policy, new Date(FROM.getTime() + minute * MINUTE_MS));
    decisions.forEach((decision, position) => {
      const index = running[position]!;
      const own = state[index]!;
      const change = decision.warningChange;
      const s = stretches[index]!;
      const stretch = [...s.starts].findLastIndex((start) => start <= minute);
      if (change.kind === 'warn') Object.assign(own, { warning: change.warning, warnedIn: stretch });
      if (change.kind === 'warn') warnings[index]! += 1;
      if (change.kind === 'clear') own.warning = null;
      if (change.kind === 'act') {
        Object.assign(own, { warning: null, off: stretch });
        actions[index]!.push([FROM.getTime() + minute * MINUTE_MS, decision.rule]);
      }
    });
  }
  return { actions, warnings };
}

/** A random day of one instance: runs of minutes, each off, idle, low or busy. */
const day = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 240 }), fc.constantFrom(Number.NaN, 0.5, 3, 7, 40)), {
    minLength: 1,
    maxLength: 14,
  })
  .map((runs) => {
    const minutes = new Float32Array(LENGTH).fill(Number.NaN);
    let at = 0;
    for (const [length, value] of runs) {
      for (let m = at; m < Math.min(LENGTH, at + length); m++) minutes[m] = value;
      at += length;
    }
    return minutes;
  });

describe('replayFleet matches the plain replay', () => {
  it('gives the same actions and warnings as decideFleet over every running instance at every pass', () => {
    const policies = [
      config({ maxRuntime: { default: '3h', warnAhead: '30m' } }),
      config({ idle: { threshold: 10, window: '30m' }, neverUsed: { after: '1h' }, maxActionsPerPass: 1 }),
      config({ warning: { grace: '0m' }, actions: { idle: 'terminate' } }),
    ];
    fc.assert(
      fc.property(fc.array(day, { minLength: 1, maxLength: 4 }), fc.constantFrom(0, 1, 2), (days, which) => {
        const policy = policies[which]!;
        const histories = days.map((minutes, n) => history(minutes, { instanceId: `i-${n}` }));
        const fast = replayFleet(histories, policy, window(LENGTH));
        const plain = plainReplay(histories, policy, 5);
        expect(fast.instances.map((entry) => entry.actions.map((a) => [a.at, a.rule]))).toEqual(plain.actions);
        expect(fast.instances.map((entry) => entry.warnings)).toEqual(plain.warnings);
      }),
      { numRuns: 40 },
    );
  });
});
