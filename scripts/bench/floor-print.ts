/**
 * Benchmark (d) as the bench prints it: the read schedule on the steady fleet under the default config, then the
 * same fleet with telemetry outages under every combination of the rules the schedule depends on (`idle`,
 * `no-telemetry`), so the telemetry-outage brake is checked wherever an instance goes unread for long. Host
 * activity is on (the default) throughout; the steady fleet is replayed once more with it off, for the metrics it
 * costs.
 */
import Table from 'cli-table3';
import { type ConfigInput, parseConfig } from '../../shared/config/schema';
import { benchReadFloor, type ReadFloorResult } from './read-floor';

/** The configs the outage fleet is replayed under: `idle` off with the 3h `noTelemetry.after` leaves reads longest. */
const OUTAGE_CONFIGS: readonly (readonly [string, ConfigInput])[] = [
  ['defaults', {}],
  ['idle off (noTelemetry 3h)', { idle: { enabled: false }, noTelemetry: { after: '3h' } }],
  ['no-telemetry off', { noTelemetry: { enabled: false } }],
  ['idle and no-telemetry off', { idle: { enabled: false }, noTelemetry: { enabled: false } }],
];

/** Host metrics per host read: `CPUUtilization`, `NetworkIn`, `NetworkOut`. */
const HOST_METRICS = 3;

const thousands = (value: number) => value.toLocaleString('en-US');
const identical = (result: ReadFloorResult) =>
  result.mismatchCount === 0 ? 'yes' : `no (${result.mismatchCount}: ${result.mismatches.join('; ')})`;

/**
 * Runs (d) and prints it line by line. `failed` when any decision differed from reading every pass (the bench then
 * exits 1); `readShare` is the steady fleet's share of instances read per pass, for the cost table.
 *
 * @example const { failed, readShare } = benchFloor({ instances: 150, days: 14 }, console.log);
 */
function benchFloor(
  shape: { readonly instances: number; readonly days: number },
  say: (line: string) => void,
): { failed: boolean; readShare: number } {
  say(`(d) the read schedule: ${shape.instances} seeded instances × ${shape.days} days, one pass every 5 min`);
  const floor = benchReadFloor(shape, parseConfig({}));
  const hostOff = benchReadFloor(shape, parseConfig({ activity: { host: { enabled: false } } }));
  const perPass = (reads: number, of = floor) => (reads / Math.max(1, of.everyPass)).toFixed(3);
  // What GetMetricData bills, as the API meter counts its queries in (b): one per read (a rollup), three per host read.
  const metrics = (gpu: number, host: number) => gpu + HOST_METRICS * host;
  say(
    `metrics requested per instance per pass: ${perPass(metrics(floor.scheduled, floor.scheduledHost))} with host ` +
      `activity, ${perPass(hostOff.scheduled, hostOff)} without (reading every pass: ` +
      `${perPass(metrics(floor.everyPass, floor.everyPassHost))} and ${perPass(hostOff.everyPass, hostOff)}; GPU ` +
      `reads alone ${perPass(floor.scheduled)}, floor ${perPass(floor.floor)})`,
  );
  // As a 4-hour moto check measures it: after the first 90 minutes, GPU metrics per running instance and pass.
  const late = floor.after90;
  const lateShare = late.scheduled / Math.max(1, late.everyPass);
  const lateFloor = late.floor / Math.max(1, late.everyPass);
  say(
    `after the first 90 minutes: ${lateShare.toFixed(3)} GPU metrics per instance per pass against a floor of ` +
      `${lateFloor.toFixed(3)} (${(lateShare / Math.max(lateFloor, 1e-9)).toFixed(2)} × floor, target ≤ 1.15 ×; ` +
      `reading every pass: 1.000); opted-out instances ${perPass(floor.optedOutReads, { ...floor, everyPass: floor.optedOutPasses })} ` +
      `reads a pass (at most hourly, for their out-of-reach record)`,
  );
  say(`decisions identical to reading every pass: ${identical(floor)}`);
  say(`the same without host activity: ${identical(hostOff)}`);
  say(
    `(${thousands(floor.decisions)} decisions compared over ${thousands(floor.passes)} passes; reads ` +
      `${thousands(floor.scheduled)} vs ${thousands(floor.everyPass)}, floor ${thousands(floor.floor)}, one metric ` +
      `per read with a rollup; host reads ${thousands(floor.scheduledHost)} vs ${thousands(floor.everyPassHost)}, ` +
      `${HOST_METRICS} metrics each; ${thousands(floor.hostDecisions)} decisions by the host: kept on a busy host ` +
      'or gpu-idle-host-busy)',
  );
  say('the same fleet with telemetry outages (48-90% of it silent for 4-7 h on 4 days):');
  const table = new Table({
    head: ['(d) outages, per config', 'reads/inst/pass', 'floor', 'for the brake', 'identical', 'notice only'],
    style: { head: [], border: [] },
  });
  let failed = floor.mismatchCount > 0 || hostOff.mismatchCount > 0;
  const differences: string[] = [];
  for (const [name, input] of OUTAGE_CONFIGS) {
    const result = benchReadFloor({ ...shape, outages: true }, parseConfig(input));
    failed ||= result.mismatchCount > 0;
    if (result.mismatchCount > 0) differences.push(`${name}: ${identical(result)}`);
    table.push([
      name,
      perPass(result.scheduled, result),
      perPass(result.floor, result),
      perPass(result.brakeReads, result),
      result.mismatchCount === 0 ? 'yes' : `no (${thousands(result.mismatchCount)})`,
      thousands(result.brakeOnlyDiffers),
    ]);
  }
  say(table.toString());
  for (const difference of differences) say(difference);
  say('"for the brake": reads of instances not due, made because the outage brake could hold an action back.');
  say('"notice only": passes whose brake verdict differed with nothing to hold back (not read for: only the');
  say("admin's outage notice differs).");
  say('');
  return { failed, readShare: floor.scheduled / Math.max(1, floor.everyPass) };
}

export { benchFloor };
