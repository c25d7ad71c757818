/**
 * A realistic week's fleet audit, as `report` computes it, for the page's tests and its screenshot: 40 instances in
 * 3 teams and 2 projects, $12,345.67 of spend of which 39% below 5% GPU, 11 never used, the 20 costliest runs,
 * 3 right-sizing suggestions and 1 instance that could not be judged, budgets for 2 teams. The bands of every group
 * add up to its spend, and each tag's groups add up to the fleet.
 */
import type { FleetAudit, FleetBands, FleetGroup, FleetRun } from '../../shared/report/fleet-audit-types';

const FROM = '2026-12-01T08:00:00.000Z';
const TO = '2026-12-08T08:00:00.000Z';
const HOUR = 3_600_000;

/** On-demand us-east-1 prices of the types the fixture runs. */
const HOURLY: Readonly<Record<string, number>> = {
  'g5.xlarge': 1.006,
  'g5.2xlarge': 1.212,
  'g5.12xlarge': 5.672,
  'g5.48xlarge': 16.288,
  'g6.48xlarge': 13.3504,
  'p4d.24xlarge': 32.7726,
  'g4dn.12xlarge': 3.912,
};

function group(instances: number, neverUsed: number, bands: FleetBands): FleetGroup {
  const spendUsd = Math.round((bands.below5 + bands.from5to30 + bands.above30 + bands.unknown) * 100) / 100;
  return { instances, spendUsd, spendByBand: bands, neverUsed };
}

/** id suffix, type, owner, team, project, hours after the start of the period, hours long (null: still running), busy share. */
type RunRow = readonly [string, string, string | null, string, string | null, number, number | null, number];

const RUNS: readonly RunRow[] = [
  ['0a1f3c9e2b7d40011', 'p4d.24xlarge', 'alice@example.com', 'research', 'llm', 26, 41.5, 0.81],
  ['0b7e21d94c3a50022', 'g5.48xlarge', 'bob@example.com', 'research', 'llm', 2, 70, 0.07],
  ['0c3d8a6f1e9b20033', 'g6.48xlarge', 'carol@example.com', 'vision', 'ranking', 50, null, 0.22],
  ['0d94b2e7a0c610044', 'g5.12xlarge', 'dave@example.com', 'research', 'llm', 0, 168, 0.02],
  ['0e1a7c3b9d4f80055', 'g5.12xlarge', null, '(untagged)', null, 12, 120, 0],
  ['0f6b3e8d2a1c70066', 'g5.48xlarge', 'erin@example.com', 'vision', 'ranking', 97, 38, 0.64],
  ['01c8e4a7b3d290077', 'p4d.24xlarge', 'alice@example.com', 'research', 'llm', 120, 16, 0.93],
  ['02d5f9b1c8e360088', 'g6.48xlarge', 'frank@example.com', 'platform', null, 30, 33, 0.11],
  ['03e2a6c4d9f170099', 'g5.12xlarge', 'grace@example.com', 'vision', 'ranking', 5, 71, 0.35],
  ['04f7b3d8e2a4100aa', 'g4dn.12xlarge', 'heidi@example.com', 'platform', 'ranking', 0, 98, 0.01],
  ['05a4c9e3f7b5200bb', 'g5.12xlarge', 'bob@example.com', 'research', 'llm', 80, 52, 0.48],
  ['06b1d7f2a8c6300cc', 'g5.2xlarge', 'ivan@example.com', 'research', 'llm', 0, null, 0.03],
  ['07c8e5a9b3d7400dd', 'g5.xlarge', 'judy@example.com', 'vision', 'ranking', 0, 168, 0],
  ['08d3f1b6c2e8500ee', 'g5.12xlarge', 'carol@example.com', 'vision', 'ranking', 140, 26, 0.71],
  ['09e6a2c7d1f9600ff', 'g5.xlarge', 'mallory@example.com', 'platform', null, 3, 140, 0.04],
  ['0a2b9d4e6f1a70101', 'g5.xlarge', null, '(untagged)', null, 10, 130, 0],
  ['0b5c1e8f3a2b80202', 'g5.12xlarge', 'erin@example.com', 'vision', 'ranking', 150, 18, 0.88],
  ['0c8d6f2a4b3c90303', 'g5.xlarge', 'alice@example.com', 'research', 'llm', 20, 95, 0.56],
  ['0d1e3a7b5c4da0404', 'g5.2xlarge', 'frank@example.com', 'platform', null, 40, 75, 0.18],
  ['0e4f8b1c6d5eb0505', 'g5.xlarge', 'grace@example.com', 'vision', 'ranking', 60, 80, 0.09],
];

function run([suffix, type, owner, team, project, startHours, hours, busyShare]: RunRow): FleetRun {
  const start = Date.parse(FROM) + startHours * HOUR;
  // A run still going at the end of the period has no end.
  const running = hours === null || start + hours * HOUR >= Date.parse(TO);
  const ran = running ? (Date.parse(TO) - start) / HOUR : hours;
  const tags: Record<string, string> = { Name: `${team}-${type.split('.')[0]}-${suffix.slice(-3)}` };
  if (owner) tags.Owner = owner;
  if (team !== '(untagged)') tags.Team = team;
  if (project) tags.Project = project;
  return {
    instanceId: `i-${suffix}`,
    instanceType: type,
    owner,
    start: new Date(start).toISOString(),
    end: running ? null : new Date(start + ran * HOUR).toISOString(),
    spendUsd: Math.round(ran * (HOURLY[type] ?? 0) * 100) / 100,
    busyShare,
    tags,
  };
}

/** The audit; `overrides` replaces top-level fields (a hostile group, an empty fleet). */
function fleetAuditFixture(overrides: Partial<FleetAudit> = {}): FleetAudit {
  return {
    from: FROM,
    to: TO,
    instances: 40,
    spendUsd: 12_345.67,
    spendByBand: { below5: 4_816, from5to30: 1_972.65, above30: 5_411.92, unknown: 145.1 },
    neverUsed: 11,
    groups: {
      Team: {
        research: group(18, 4, { below5: 2_410.2, from5to30: 1_102.35, above30: 3_050, unknown: 88.1 }),
        vision: group(12, 3, { below5: 1_305.77, from5to30: 640, above30: 1_720.45, unknown: 40 }),
        platform: group(7, 2, { below5: 920, from5to30: 210.3, above30: 480.5, unknown: 12 }),
        '(untagged)': group(3, 2, { below5: 180.03, from5to30: 20, above30: 160.97, unknown: 5 }),
      },
      Project: {
        llm: group(20, 5, { below5: 2_600, from5to30: 1_200, above30: 3_900, unknown: 90 }),
        ranking: group(14, 3, { below5: 1_700, from5to30: 650, above30: 1_300, unknown: 40 }),
        '(untagged)': group(6, 3, { below5: 516, from5to30: 122.65, above30: 211.92, unknown: 15.1 }),
      },
    },
    runs: RUNS.map(run).sort((a, b) => b.spendUsd - a.spendUsd),
    rightSizing: [
      {
        instanceId: 'i-0d94b2e7a0c610044',
        instanceType: 'g5.12xlarge',
        gpus: 4,
        gpusEverBusy: 1,
        suggestedType: 'g5.xlarge',
        weeklySavingUsd: 783.89,
      },
      {
        instanceId: 'i-0c3d8a6f1e9b20033',
        instanceType: 'g6.48xlarge',
        gpus: 8,
        gpusEverBusy: 4,
        suggestedType: 'g6.24xlarge',
        weeklySavingUsd: 667.52,
      },
      {
        instanceId: 'i-0b7e21d94c3a50022',
        instanceType: 'g5.48xlarge',
        gpus: 8,
        gpusEverBusy: 3,
        suggestedType: 'g5.12xlarge',
        weeklySavingUsd: 636.96,
      },
    ],
    rightSizingUnjudged: [
      {
        instanceId: 'i-04f7b3d8e2a4100aa',
        instanceType: 'g4dn.12xlarge',
        gpus: 4,
        reason: 'its GPU metric is one series for all 4 GPUs (no per-GPU dimension), so busy GPUs cannot be counted',
      },
    ],
    budgets: [
      { team: 'vision', monthUsd: 4_310, budgetUsd: 4_000, share: 1.0775 },
      { team: 'research', monthUsd: 9_120.4, budgetUsd: 10_000, share: 0.912 },
    ],
    ...overrides,
  };
}

export { fleetAuditFixture };
