/**
 * Property-based tests of the engine's safety invariants: whatever the tags, telemetry, warnings and config, an
 * opted-out instance is never warned or acted on, unknown telemetry is never idle, nothing acts before its grace,
 * and a pass never acts on more than `maxActionsPerPass` instances.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/schema';
import {
  decideFleet,
  decideInstance,
  type GpuPoint,
  type GpuTelemetry,
  type InstanceFacts,
  type InstanceInput,
  type WarningState,
} from '../../../shared/engine';
import { config, instance, ms, NOW, points, telemetry } from './fixtures';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const iso = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

const configArb: fc.Arbitrary<ConfigInput> = fc.record({
  warning: fc.record({ grace: fc.constantFrom('0m', '5m', '30m', '1h') }),
  idle: fc.record({
    threshold: fc.oneof(fc.constantFrom(5, 10, 50), fc.integer({ min: 0, max: 100 })),
    window: fc.constantFrom('15m', '1h', '2h'),
    minCoverage: fc.constantFrom(0.5, 0.8, 1),
    enabled: fc.boolean(),
  }),
  neverUsed: fc.record({ after: fc.constantFrom('15m', '30m', '1h'), threshold: fc.integer({ min: 0, max: 100 }) }),
  noTelemetry: fc.record({ after: fc.constantFrom('15m', '30m') }),
  maxRuntime: fc.record({
    enabled: fc.boolean(),
    default: fc.constantFrom('1h', '12h', '7d'),
    warnAhead: fc.constantFrom('0m', '1h'),
  }),
  actions: fc.record({
    expired: fc.constantFrom('stop', 'terminate', 'notify'),
    maxRuntime: fc.constantFrom('stop', 'terminate', 'notify'),
    neverUsed: fc.constantFrom('stop', 'terminate', 'notify'),
    idle: fc.constantFrom('stop', 'terminate', 'notify'),
    whenStopImpossible: fc.constantFrom('notify', 'terminate', 'skip'),
    asgMembers: fc.constantFrom('skip', 'notify', 'stop', 'terminate'),
  }),
  maxActionsPerPass: fc.integer({ min: 0, max: 4 }),
});

const offsetArb = fc.integer({ min: -48 * HOUR, max: 48 * HOUR });
const ruleArb = fc.constantFrom('expired', 'max-runtime', 'never-used', 'idle', 'no-telemetry', 'capped');

/** An optional tag: absent `1 - 1/odds` of the time. */
const sometimes = (key: string, value: fc.Arbitrary<string>, odds: number): fc.Arbitrary<Record<string, string>> =>
  fc.oneof(
    { arbitrary: fc.constant({}), weight: odds - 1 },
    { arbitrary: value.map((text) => ({ [key]: text })), weight: 1 },
  );

/** Tags an owner (or a hostile one) might set, each optional; the skips are rarer so the acting rules get exercised. */
const tagsArb: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    sometimes('Owner', fc.string(), 2),
    sometimes('gpu-reaper:opt-out', fc.constantFrom('false', 'FALSE', '', 'true', 'no'), 8),
    sometimes('gpu-reaper:max-runtime', fc.oneof(fc.constantFrom('90m', '2h', '30d', '0m', 'abc'), fc.string()), 3),
    sometimes('gpu-reaper:expires-at', fc.oneof(offsetArb.map(iso), fc.string()), 4),
    sometimes('gpu-reaper:snooze-until', fc.oneof(offsetArb.map(iso), fc.string()), 4),
    sometimes('gpu-reaper:action', fc.constantFrom('stop', 'terminate', 'notify', 'NOTIFY', 'hibernate'), 3),
    sometimes(
      'gpu-reaper:warned',
      fc.oneof(
        fc.tuple(ruleArb, offsetArb).map(([rule, at]) => `${rule}@${iso(at)}`),
        fc.string(),
      ),
      3,
    ),
    sometimes('aws:autoscaling:groupName', fc.constant('asg'), 6),
    sometimes('eks:cluster-name', fc.constant('ml'), 10),
  )
  .map((parts) => Object.assign({}, ...parts));

const instanceArb: fc.Arbitrary<InstanceFacts> = fc
  .record({
    launchAgo: fc.integer({ min: 0, max: 48 * HOUR }),
    tags: tagsArb,
    rootDeviceType: fc.constantFrom('ebs' as const, 'instance-store' as const),
    spot: fc.constantFrom(null, { requestType: 'one-time' as const }, { requestType: 'persistent' as const }),
    protection: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 4 },
      { arbitrary: fc.record({ stop: fc.boolean(), termination: fc.boolean() }), weight: 1 },
    ),
    id: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ launchAgo, tags, rootDeviceType, spot, protection, id }) =>
    instance({
      instanceId: `i-${String(id).padStart(17, '0')}`,
      launchTime: new Date(NOW.getTime() - launchAgo),
      tags,
      rootDeviceType,
      spot,
      ...(protection ? { protection } : {}),
    }),
  );

/** Points over the last 3h: each minute present with some probability, values mostly low. */
function seriesArb(every: fc.Arbitrary<number> = fc.constant(1)): fc.Arbitrary<GpuPoint[]> {
  return fc
    .record({
      every,
      present: fc.array(
        fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
        { minLength: 180, maxLength: 180 },
      ),
      values: fc.array(
        fc.oneof(fc.double({ min: 0, max: 6, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true })),
        { minLength: 180, maxLength: 180 },
      ),
    })
    .map(({ every: step, present, values }) =>
      present.flatMap((isThere, i) =>
        isThere && i % step === 0 ? [{ at: NOW.getTime() - (180 - i) * MINUTE, max: values[i] ?? 0 }] : [],
      ),
    );
}

function telemetryArb(points: fc.Arbitrary<GpuPoint[]>, statuses = fc.constantFrom('ok', 'missing', 'error')) {
  return fc
    .record({ status: statuses, points, sinceLaunchMax: fc.option(fc.double({ min: 0, max: 100, noNaN: true })) })
    .map(
      ({ status, points: series, sinceLaunchMax }): GpuTelemetry => ({
        status: status as GpuTelemetry['status'],
        source: status === 'missing' ? 'none' : 'instance-rollup',
        points: status === 'missing' ? [] : series,
        from: new Date(NOW.getTime() - 3 * HOUR),
        to: NOW,
        sinceLaunchMax,
        ...(status === 'error' ? { error: 'Throttling' } : {}),
      }),
    );
}

const warningArb: fc.Arbitrary<WarningState | null | undefined> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc
    .record({
      rule: fc.constantFrom('expired', 'max-runtime', 'never-used', 'idle' as const),
      action: fc.constantFrom('stop', 'terminate' as const),
      actAt: offsetArb,
      warnedAt: fc.option(fc.integer({ min: -48 * HOUR, max: 0 })),
    })
    .map(({ rule, action, actAt, warnedAt }) => ({
      rule,
      action,
      actAt: new Date(NOW.getTime() + actAt),
      warnedAt: warnedAt === null ? null : new Date(NOW.getTime() + warnedAt),
    })),
);

const inputArb = (telemetry = telemetryArb(seriesArb())): fc.Arbitrary<InstanceInput> =>
  fc.record({ instance: instanceArb, telemetry, warning: warningArb });

describe('engine invariants', () => {
  it('never warns or acts on an opted-out instance', () => {
    fc.assert(
      fc.property(inputArb(), configArb, fc.constantFrom('', 'true', 'yes', ' x '), (input, cfgInput, value) => {
        const tags = { ...input.instance.tags, 'gpu-reaper:opt-out': value };
        const optedOut = { ...input, instance: { ...input.instance, tags } };
        const { decisions } = decideFleet([optedOut], config(cfgInput), NOW);
        expect(decisions[0]).toMatchObject({ outcome: 'skip', rule: 'opt-out' });
      }),
    );
  });

  it('never calls unknown telemetry (error, missing, sparse) idle or never-used', () => {
    const unknown = fc.oneof(
      telemetryArb(seriesArb(), fc.constantFrom('missing', 'error')),
      telemetryArb(seriesArb(fc.integer({ min: 3, max: 10 })), fc.constant('ok')),
    );
    const strictCoverage = configArb.map((cfg) => ({ ...cfg, idle: { ...cfg.idle, minCoverage: 0.5 } }));
    fc.assert(
      fc.property(inputArb(unknown), strictCoverage, (input, cfgInput) => {
        const decision = decideInstance(input, config(cfgInput), NOW);
        expect(['idle', 'never-used']).not.toContain(decision.rule);
      }),
    );
  });

  it('never acts before a warning issued at least the grace earlier', () => {
    fc.assert(
      fc.property(inputArb(), configArb, (input, cfgInput) => {
        const cfg = config(cfgInput);
        const decision = decideInstance(input, cfg, NOW);
        if (decision.outcome !== 'act' || ms(cfg.warning.grace) === 0) return;
        expect(decision.warningChange.kind).toBe('act');
        const used = decision.warningChange.kind === 'act' ? decision.warningChange.warning : null;
        expect(used?.rule).toBe(decision.rule);
        expect(used && used.actAt <= NOW).toBe(true);
        if (used?.warnedAt) expect(used.warnedAt.getTime() + ms(cfg.warning.grace)).toBeLessThanOrEqual(NOW.getTime());
        if (input.warning === undefined)
          expect(input.instance.tags['gpu-reaper:warned']).toContain(`${decision.rule}@`);
        else expect(input.warning).toEqual(used);
      }),
      { numRuns: 500 },
    );
  });

  it('acts on an idle instance exactly when its warning is due and the grace has passed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2 * HOUR, max: 2 * HOUR }),
        fc.option(fc.integer({ min: -3 * HOUR, max: 0 })),
        fc.constantFrom('5m', '30m', '1h'),
        (actAt, warnedAt, grace) => {
          const pending: WarningState = {
            rule: 'idle',
            action: 'stop',
            actAt: new Date(NOW.getTime() + actAt),
            warnedAt: warnedAt === null ? null : new Date(NOW.getTime() + warnedAt),
          };
          const series = telemetry(points(1));
          const decision = decideInstance(
            { instance: instance(), telemetry: series, warning: pending },
            config({ warning: { grace } }),
            NOW,
          );
          const due = actAt <= 0 && (warnedAt === null || warnedAt + ms(grace) <= 0);
          expect(decision.outcome).toBe(due ? 'act' : 'warn');
          expect(decision.rule).toBe('idle');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never exceeds maxActionsPerPass', () => {
    fc.assert(
      fc.property(fc.array(inputArb(), { maxLength: 12 }), configArb, (inputs, cfgInput) => {
        const cfg = config(cfgInput);
        const { decisions, capped } = decideFleet(inputs, cfg, NOW);
        const acted = decisions.filter((decision) => decision.outcome === 'act').length;
        expect(acted).toBeLessThanOrEqual(cfg.maxActionsPerPass);
        expect(decisions).toHaveLength(inputs.length);
        expect(capped).toBe(decisions.filter((decision) => decision.rule === 'capped').length);
      }),
    );
  });

  it('never throws, and always explains itself, whatever the tags', () => {
    const anyTags = fc.dictionary(
      fc.oneof(
        fc.constantFrom('gpu-reaper:max-runtime', 'gpu-reaper:expires-at', 'gpu-reaper:warned', 'Owner'),
        fc.string(),
      ),
      fc.string({ maxLength: 300 }),
    );
    fc.assert(
      fc.property(inputArb(), anyTags, (input, tags) => {
        const decision = decideInstance({ ...input, instance: { ...input.instance, tags } }, config(), NOW);
        expect(decision.executed).toBe(false);
        expect(decision.reason.length).toBeGreaterThan(0);
        for (const problem of decision.tagProblems) expect(problem.value.length).toBeLessThanOrEqual(65);
      }),
    );
  });

  it('over many passes, acts only on a warning it issued at least the grace earlier', () => {
    const passes = 48;
    const step = 5 * MINUTE;
    fc.assert(
      fc.property(
        instanceArb,
        fc.array(
          fc.oneof(
            { arbitrary: fc.constant(null), weight: 1 },
            { arbitrary: fc.double({ min: 0, max: 12, noNaN: true }), weight: 6 },
          ),
          {
            minLength: 6 * 60,
            maxLength: 6 * 60,
          },
        ),
        configArb.filter((cfg) => cfg.warning?.grace !== '0m'),
        (facts, minutes, cfgInput) => {
          const cfg = config(cfgInput);
          const grace = ms(cfg.warning.grace);
          const start = NOW.getTime() - 2 * HOUR;
          let pending: WarningState | null = null;
          for (let pass = 0; pass < passes; pass += 1) {
            const now = new Date(start + pass * step);
            const points = minutes.flatMap((value, i) => {
              const at = start - 2 * HOUR + i * MINUTE;
              return value !== null && at < now.getTime() && at >= now.getTime() - 3 * HOUR ? [{ at, max: value }] : [];
            });
            const series: GpuTelemetry = {
              status: 'ok',
              source: 'instance-rollup',
              points,
              from: new Date(now.getTime() - 3 * HOUR),
              to: now,
              sinceLaunchMax: null,
            };
            const decision = decideInstance({ instance: facts, telemetry: series, warning: pending }, cfg, now);
            const change = decision.warningChange;
            if (change.kind === 'act') {
              expect(pending).not.toBeNull();
              expect((pending?.warnedAt?.getTime() ?? Number.POSITIVE_INFINITY) + grace).toBeLessThanOrEqual(
                now.getTime(),
              );
              if (decision.outcome === 'act') return;
            }
            if (change.kind === 'warn') pending = change.warning;
            if (change.kind === 'clear') pending = null;
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
