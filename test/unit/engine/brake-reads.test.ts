import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/schema';
import {
  busyInWindowUntil,
  type Decision,
  decideFleet,
  type InstanceInput,
  lookbackMs,
  nextTelemetryRead,
  unreadTelemetry,
} from '../../../shared/engine';
import { ago, config, instance, later, telemetry } from './fixtures';

const MIN = 60_000;
/** Launched two hours before NOW: `at(m)` is m minutes after launch. */
const LAUNCH = ago('120m');
const at = (m: number) => new Date(LAUNCH.getTime() + m * MIN);

/**
 * The fleet of the report: two instances busy for their first 20 minutes, then silent; one never used (0% from
 * launch), as reading every pass sees it at `now`.
 */
function fleetAt(now: Date, cfg: ReturnType<typeof config>): InstanceInput[] {
  const lookback = { from: new Date(now.getTime() - lookbackMs(cfg)), to: now };
  const series = (value: number, minutes: number) =>
    Array.from({ length: Math.min(minutes, (now.getTime() - LAUNCH.getTime()) / MIN) }, (_, m) => ({
      at: LAUNCH.getTime() + m * MIN,
      max: value,
    }));
  const member = (id: string, telemetryPoints: ReturnType<typeof series>): InstanceInput => ({
    instance: instance({ instanceId: id, launchTime: LAUNCH }),
    telemetry: telemetry(telemetryPoints, lookback),
    warning: null,
  });
  return [
    member('i-0000000000000busy1', series(80, 20)),
    member('i-0000000000000busy2', series(80, 20)),
    member('i-00000000000000idle', series(0, 24 * 60)),
  ];
}

const key = (d: Decision) => `${d.instanceId} ${d.outcome}/${d.rule ?? '-'}/${d.actAt ?? '-'}`;

/**
 * A pass with the read schedule, as the live pass runs it: not-due instances unread, then the reads the brake names
 * (the fewest first, then the rest), deciding again after each.
 */
function scheduledPass(now: Date, cfg: ReturnType<typeof config>, next: Map<string, Date>) {
  const read = fleetAt(now, cfg);
  let inputs = read.map((input) => {
    const due = next.get(input.instance.instanceId);
    return due && now < due ? { ...input, telemetry: unreadTelemetry(now, lookbackMs(cfg), due) } : input;
  });
  let fleet = decideFleet(inputs, cfg, now);
  const rounds: string[][] = [];
  for (let round = 0; fleet.brakeReads.ids.length > 0; round += 1) {
    const ids = round === 0 ? fleet.brakeReads.ids.slice(0, fleet.brakeReads.fewest) : fleet.brakeReads.ids;
    rounds.push([...ids]);
    inputs = inputs.map((input, index) => (ids.includes(input.instance.instanceId) ? read[index]! : input));
    fleet = decideFleet(inputs, cfg, now);
  }
  for (const input of inputs) {
    const scheduled = input.telemetry.status === 'ok' ? nextTelemetryRead(input, cfg) : null;
    if (scheduled) next.set(input.instance.instanceId, scheduled);
  }
  return { fleet, rounds };
}

const IDLE_OFF: ConfigInput = { idle: { enabled: false }, noTelemetry: { after: '3h' } };

describe('the telemetry-outage brake with the read schedule', () => {
  it('holds back never-used at L+120m as reading every pass does, with idle off and noTelemetry.after 3h', () => {
    const cfg = config(IDLE_OFF);
    const everyPass = decideFleet(fleetAt(at(120), cfg), cfg, at(120));
    expect(everyPass.brake).toEqual({ engaged: true, missing: 2, scanned: 3 });
    expect(everyPass.decisions[2]).toMatchObject({ outcome: 'skip', rule: 'never-used' });
    expect(everyPass.decisions[2]?.reason).toMatch(/^held back: GPU telemetry is missing for 2 of 3 instances/);

    const next = new Map<string, Date>();
    scheduledPass(at(25), cfg, next);
    // Last busy minute 19: no telemetry rule can hold before 19 + 1 + 3h.
    expect(next.get('i-0000000000000busy1')).toEqual(at(200));
    const { fleet, rounds } = scheduledPass(at(120), cfg, next);
    // One read could have settled it (had it shown data); it showed none, so the other was read too.
    expect(rounds).toEqual([['i-0000000000000busy1'], ['i-0000000000000busy2']]);
    expect(fleet.decisions.map(key)).toEqual(everyPass.decisions.map(key));
    expect(fleet.brake).toEqual(everyPass.brake);
  });

  it('names no read when no idle or never-used warning or action is on the table', () => {
    const cfg = config({ ...IDLE_OFF, neverUsed: { enabled: false } });
    const unread = fleetAt(at(120), cfg).map((input) => ({
      ...input,
      telemetry: unreadTelemetry(at(120), lookbackMs(cfg), at(200)),
    }));
    expect(decideFleet(unread, cfg, at(120)).brakeReads).toEqual({ ids: [], fewest: 0 });
  });

  it('names no read while the last busy minute is still in the idle window', () => {
    const cfg = config(IDLE_OFF);
    const inputs = fleetAt(at(70), cfg);
    const busy = inputs.slice(0, 2).map((input) => ({
      ...input,
      telemetry: unreadTelemetry(at(70), lookbackMs(cfg), at(200)),
    }));
    // Minute 19 is inside [10, 70): both still count as having telemetry, exactly as a read would show.
    expect(decideFleet([...busy, inputs[2]!], cfg, at(70)).brakeReads).toEqual({ ids: [], fewest: 0 });
    expect(decideFleet([...busy, inputs[2]!], cfg, at(80)).brakeReads.ids).toHaveLength(2);
  });

  it('knows from the schedule until when the busy minute is in the window', () => {
    // Idle on: the schedule comes due within a window of the busy minute.
    expect(busyInWindowUntil(later('20m'), config())).toEqual(later('20m'));
    // Idle off: last busy minute + 1m + 3h → that minute + 1m + the 1h window.
    expect(busyInWindowUntil(later('3h'), config(IDLE_OFF))).toEqual(later('1h'));
    expect(busyInWindowUntil(later('3h'), config({ idle: { enabled: false }, noTelemetry: { enabled: false } }))).toBe(
      null,
    );
  });

  // A 3h look-back in every config, so never-used is on the table from minute 30 and the brake always matters.
  const configs: [string, ConfigInput][] = [
    ['defaults', { noTelemetry: { after: '3h' } }],
    ['idle off', IDLE_OFF],
    ['no-telemetry off', { noTelemetry: { enabled: false, after: '3h' } }],
    ['both off', { idle: { enabled: false }, noTelemetry: { enabled: false, after: '3h' } }],
  ];
  it.each(configs)('decides every pass as reading every pass does (%s)', (_, input) => {
    const cfg = config(input);
    const next = new Map<string, Date>();
    for (let minute = 5; minute <= 120; minute += 5) {
      const now = at(minute);
      const { fleet } = scheduledPass(now, cfg, next);
      const everyPass = decideFleet(fleetAt(now, cfg), cfg, now);
      expect(fleet.decisions.map(key), `minute ${minute}`).toEqual(everyPass.decisions.map(key));
      expect(fleet.brake.engaged, `minute ${minute}`).toBe(everyPass.brake.engaged);
    }
  });
});
