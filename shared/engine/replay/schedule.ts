/**
 * How often the reaper runs, from the config's EventBridge `schedule`, so a backtest replays one pass per period.
 * `rate(...)` is exact. A `cron(...)` is approximated by its typical spacing (from its minutes and hours fields):
 * a replay needs evenly spaced passes, not the calendar.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const UNIT_MS: Readonly<Record<string, number>> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

/** Spacing of a cron field's values within `span` units: `*` 1, `*\/N` or `A/N` N, a list by its count. */
function fieldStep(field: string, span: number): number | null {
  if (field === '*' || field === '?') return 1;
  const step = /^(?:\*|\d+)\/(\d+)$/.exec(field);
  if (step) return Math.max(1, Number(step[1]));
  if (/^\d+(,\d+)+$/.test(field)) return Math.max(1, Math.floor(span / field.split(',').length));
  if (/^\d+-\d+$/.test(field)) return 1;
  return /^\d+$/.test(field) ? null : 1;
}

function cronIntervalMs(body: string): number {
  const [minutes = '0', hours = '*'] = body.trim().split(/\s+/);
  const minuteStep = fieldStep(minutes, 60);
  if (minuteStep !== null) return minuteStep * MINUTE_MS;
  const hourStep = fieldStep(hours, 24);
  return hourStep === null ? DAY_MS : hourStep * HOUR_MS;
}

/**
 * The period between two passes of `schedule`, in ms (at least one minute).
 *
 * @example scheduleIntervalMs('rate(5 minutes)') // 300_000
 * @example scheduleIntervalMs('cron(0/10 * * * ? *)') // 600_000
 */
function scheduleIntervalMs(schedule: string): number {
  const text = schedule.trim();
  const rate = RATE.exec(text);
  if (rate) return Math.max(1, Number(rate[1])) * (UNIT_MS[rate[2]!.replace(/s$/, '')] ?? MINUTE_MS);
  const cron = /^cron\((.+)\)$/.exec(text);
  return cron ? cronIntervalMs(cron[1]!) : 5 * MINUTE_MS;
}

export { scheduleIntervalMs };
