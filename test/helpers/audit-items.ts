/**
 * A week of audit items for report tests: four actions and one dry-run one, each ended differently, with numbers
 * simple enough to check by hand.
 */
import type { AvoidableItem } from '../../shared/report/avoided-spend';

/** The end of the report. */
const TO = new Date('2024-05-03T00:00:00.000Z');

/** An audit item of `instanceId` at `at`; the launch time is that of the run the event belongs to. */
function item(
  instanceId: string,
  event: string,
  at: string,
  fields: Partial<Omit<AvoidableItem, 'evidence'>> & { launchTime?: string; gpuCount?: number; idleUsd?: number } = {},
): AvoidableItem {
  const { launchTime = '2024-05-01T00:00:00.000Z', gpuCount = 1, idleUsd, ...rest } = fields;
  return {
    event,
    instanceId,
    rule: 'idle',
    owner: 'ana@example.com',
    instanceType: 'g5.xlarge',
    at,
    hourlyUsd: 1.006,
    evidence: { launchTime, gpuCount, ...(idleUsd === undefined ? {} : { idleUsd }) },
    ...rest,
  };
}

const big = { instanceType: 'g5.12xlarge', hourlyUsd: 5.672, gpuCount: 4 };
const p5 = { instanceType: 'p5.48xlarge', hourlyUsd: 55.04, gpuCount: 8, owner: 'bo@example.com' };

/** Four actions and one dry-run one, each ended differently. */
const WEEK: AvoidableItem[] = [
  // Stopped at 10:00, started again at 15:00 (seen on its next warning): 5h × $5.672 = $28.36, 5h × 4 GPUs.
  item('i-1', 'WARNED', '2024-05-01T09:30:00.000Z', { ...big, launchTime: '2024-05-01T01:00:00.000Z' }),
  item('i-1', 'STOPPED', '2024-05-01T10:00:00.000Z', { ...big, launchTime: '2024-05-01T01:00:00.000Z', idleUsd: 8.51 }),
  item('i-1', 'WARNED', '2024-05-01T16:30:00.000Z', { ...big, launchTime: '2024-05-01T15:00:00.000Z' }),
  // Terminated 4h before the end of the report: 4h × $55.04 = $220.16, 4h × 8 GPUs.
  item('i-2', 'TERMINATED', '2024-05-02T20:00:00.000Z', { ...p5, rule: 'never-used' }),
  // Stopped and never seen again: capped at 24h, 24h × $1.006 = $24.144.
  item('i-3', 'STOPPED', '2024-05-01T00:30:00.000Z', { rule: 'max-runtime' }),
  // No price: its 1.5h × 2 GPUs count, its dollars cannot.
  item('i-4', 'STOPPED', '2024-05-02T06:00:00.000Z', {
    instanceType: 'g9.mega',
    hourlyUsd: null,
    owner: null,
    gpuCount: 2,
  }),
  item('i-4', 'WARNED', '2024-05-02T08:00:00.000Z', {
    instanceType: 'g9.mega',
    hourlyUsd: null,
    owner: null,
    launchTime: '2024-05-02T07:30:00.000Z',
  }),
  // Dry run: would have stopped at 14:00; to the end of the report, 10h × $0.526.
  item('i-5', 'WOULD_STOP', '2024-05-02T14:00:00.000Z', {
    instanceType: 'g4dn.xlarge',
    hourlyUsd: 0.526,
    owner: 'bo@example.com',
  }),
];

export { item, TO, WEEK };
