/**
 * Builders for replay tests: hand-made per-minute histories whose truth is known. Prices are $60/h, so one running
 * minute costs exactly $1 and every expected dollar amount is a whole number of minutes.
 */
import { type Config, type ConfigInput, parseConfig } from '../../../shared/config/schema';
import type { InstanceHistory, ReplayWindow } from '../../../shared/engine/replay';

/** Minute 0 of every test history (a multiple of 5 minutes, so pass 0 is minute 0). */
const FROM = new Date('2026-01-05T00:00:00.000Z');
const MINUTE_MS = 60_000;
/** One running minute at {@link DOLLAR_A_MINUTE} costs $1. */
const DOLLAR_A_MINUTE = 60;

/** A run of minutes: `[first minute, how many, value or value(minute)]`. */
type Segment = readonly [start: number, length: number, value: number | ((minute: number) => number)];

/** A series of `length` minutes, NaN (no datapoint) except inside the segments. */
function series(length: number, ...segments: readonly Segment[]): Float32Array {
  const minutes = new Float32Array(length).fill(Number.NaN);
  for (const [start, count, value] of segments) {
    for (let minute = start; minute < start + count && minute < length; minute++) {
      minutes[minute] = typeof value === 'number' ? value : value(minute);
    }
  }
  return minutes;
}

/** A history at $1 a minute, owned by alice, with the given minutes; override any field. */
function history(minutes: Float32Array, overrides: Partial<InstanceHistory> = {}): InstanceHistory {
  return {
    instanceId: 'i-0aaaaaaaaaaaaaaa1',
    instanceType: 'g5.xlarge',
    owner: 'alice@example.com',
    tags: { Owner: 'alice@example.com' },
    hourlyUsd: DOLLAR_A_MINUTE,
    region: 'us-east-1',
    minutes,
    ...overrides,
  };
}

/** The replay window of `minutes` minutes from {@link FROM}, one pass every 5 minutes. */
function window(minutes: number, scheduleMs = 5 * MINUTE_MS): ReplayWindow {
  return { from: FROM, to: new Date(FROM.getTime() + minutes * MINUTE_MS), scheduleMs };
}

/** The instant of minute `minute`, as epoch ms. */
function at(minute: number): number {
  return FROM.getTime() + minute * MINUTE_MS;
}

/** A validated config: the defaults with `input` applied. */
function config(input: ConfigInput = {}): Config {
  return parseConfig(input);
}

/** A config where only the idle rule can act (never-used and max-runtime off). */
function idleOnly(input: ConfigInput = {}): Config {
  return parseConfig({
    neverUsed: { enabled: false },
    maxRuntime: { enabled: false },
    ...input,
  });
}

export type { Segment };
export { at, config, DOLLAR_A_MINUTE, FROM, history, idleOnly, MINUTE_MS, series, window };
