/**
 * Benchmark of the backtest replay: 14 days × 1,000 synthetic GPU instances at one-minute resolution, replayed with
 * the default policy (one pass every 5 minutes), then the threshold sweep. Prints the time of each step and the
 * peak memory. No assertion: numbers for people.
 *
 * Run: npm run bench:replay [-- --instances 1000 --days 14 --no-sweep]
 */
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../shared/config/schema';
import { type InstanceHistory, replayFleet, scheduleIntervalMs, sweep } from '../shared/engine/replay';
import { seededRandom } from './bench/seeded-random';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1_440;

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const random = seededRandom;

type Profile = 'training' | 'bursty' | 'forgotten' | 'never-used' | 'inference';
const PROFILES: readonly Profile[] = ['training', 'bursty', 'forgotten', 'never-used', 'inference'];

/** Fills `minutes` with the day-by-day pattern of one kind of workload (NaN: not running). */
function fill(minutes: Float32Array, profile: Profile, next: () => number): void {
  const days = minutes.length / DAY_MINUTES;
  const span = (start: number, length: number, level: () => number) => {
    for (let m = Math.max(0, start); m < Math.min(minutes.length, start + length); m++) minutes[m] = level();
  };
  for (let day = 0; day < days; day++) {
    const base = day * DAY_MINUTES;
    if (profile === 'training') span(base + 480 + Math.floor(next() * 120), 600, () => 40 + next() * 55);
    if (profile === 'bursty') {
      let at = base + 540;
      while (at < base + 1_080) {
        const busy = 20 + Math.floor(next() * 60);
        span(at, busy, () => 50 + next() * 40);
        const lull = 10 + Math.floor(next() * 120);
        span(at + busy, lull, () => next() * 3);
        at += busy + lull;
      }
    }
    if (profile === 'forgotten' && day % 3 === 0) {
      span(base + 600, 120, () => 60 + next() * 30);
      span(base + 720, 2 * DAY_MINUTES, () => next() * 2);
    }
    if (profile === 'never-used' && day % 4 === 1) span(base + 300, 1_200, () => next() * 1.5);
    if (profile === 'inference') span(base, DAY_MINUTES, () => 8 + next() * 40);
  }
}

function syntheticFleet(count: number, days: number): InstanceHistory[] {
  const next = random(42);
  const types: readonly [string, number][] = [
    ['g5.xlarge', 1.006],
    ['g5.12xlarge', 5.672],
    ['g6e.xlarge', 1.861],
    ['p4d.24xlarge', 21.9576],
  ];
  return Array.from({ length: count }, (_, index) => {
    const minutes = new Float32Array(days * DAY_MINUTES).fill(Number.NaN);
    const profile = PROFILES[index % PROFILES.length]!;
    fill(minutes, profile, next);
    const [instanceType, hourlyUsd] = types[index % types.length]!;
    const owner = `team-${index % 17}@example.com`;
    return {
      instanceId: `i-${index.toString(16).padStart(17, '0')}`,
      instanceType,
      owner,
      tags: { Owner: owner, Profile: profile },
      hourlyUsd,
      region: 'us-east-1',
      minutes,
    };
  });
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(0)} MiB`;
}

function main(): void {
  const count = flag('instances', 1_000);
  const days = flag('days', 14);
  const config = parseConfig({});
  const to = new Date(Date.UTC(2026, 10, 21));
  const from = new Date(to.getTime() - days * DAY_MINUTES * MINUTE_MS);
  const window = { from, to, scheduleMs: scheduleIntervalMs(config.schedule) };

  let started = performance.now();
  const histories = syntheticFleet(count, days);
  const generated = performance.now() - started;

  started = performance.now();
  const result = replayFleet(histories, config, window);
  const replayed = performance.now() - started;

  let swept = Number.NaN;
  let rows = 0;
  if (!process.argv.includes('--no-sweep')) {
    started = performance.now();
    rows = sweep(histories, config, window).length;
    swept = performance.now() - started;
  }

  const memory = process.memoryUsage();
  const { fleet, stats } = result;
  const lines = [
    `bench:replay  ${count} instances × ${days} days at 1-minute resolution (${(count * days * DAY_MINUTES).toLocaleString('en-US')} minutes)`,
    `  generate        ${(generated / 1000).toFixed(2)} s`,
    `  replay          ${(replayed / 1000).toFixed(2)} s  (${stats.passes} passes, ${stats.engineCalls.toLocaleString('en-US')} engine decisions)`,
    Number.isNaN(swept)
      ? '  sweep           skipped'
      : `  sweep           ${(swept / 1000).toFixed(2)} s  (${rows} policies)`,
    `  fleet           spend $${fleet.spendUsd.toFixed(0)}, below 5% $${fleet.spendByBand.below5.toFixed(0)}, ` +
      `${fleet.actions} actions, saved $${fleet.savedUsd.toFixed(0)}, ${fleet.falseKills} false kills`,
    `  memory now      rss ${megabytes(memory.rss)}, heap used ${megabytes(memory.heapUsed)}, array buffers ${megabytes(memory.arrayBuffers)}`,
    // maxRSS is in kilobytes: the peak resident set of the whole run.
    `  peak            maxRSS ${megabytes(process.resourceUsage().maxRSS * 1024)}`,
  ];
  console.log(lines.join('\n'));
}

main();
