/**
 * The fleet audit in words: the digest opens with it (spend, the share below 5 %, never used, by team, the costliest
 * idle runs, right-sizing), then what the reaper did; the report's table carries the same headline, 100 columns wide.
 */
import { describe, expect, it } from 'vitest';
import { auditReport, renderAuditReport } from '../../../../shared/render/reports/audit-report';
import { renderDigest } from '../../../../shared/render/reports/digest-text';
import { fleetHeadline } from '../../../../shared/render/reports/fleet-text';
import type { FleetAudit } from '../../../../shared/report/fleet-audit-types';
import { TO, WEEK } from '../../../helpers/audit-items';

const FROM = new Date(TO.getTime() - 7 * 86_400_000);
const bands = (below5: number, from5to30: number, above30: number) => ({ below5, from5to30, above30, unknown: 0 });
const group = (instances: number, spendUsd: number, below5: number, neverUsed: number) => ({
  instances,
  spendUsd,
  spendByBand: bands(below5, 0, spendUsd - below5),
  neverUsed,
});

const FLEET: FleetAudit = {
  from: FROM.toISOString(),
  to: TO.toISOString(),
  instances: 510,
  spendUsd: 12345.67,
  spendByBand: bands(4814.81, 2000, 5530.86),
  neverUsed: 293,
  groups: {
    Team: {
      research: group(300, 9000, 2700, 150),
      vision: group(200, 3000, 2000, 140),
      '(untagged)': group(10, 345.67, 114.81, 3),
    },
    Project: {},
  },
  runs: [
    {
      instanceId: 'i-0busy',
      instanceType: 'p4d.24xlarge',
      owner: 'ana@example.com',
      start: FROM.toISOString(),
      end: null,
      spendUsd: 3000,
      busyShare: 0.97,
      tags: {},
    },
    {
      instanceId: 'i-0idle',
      instanceType: 'g5.12xlarge',
      owner: 'bo@example.com',
      start: FROM.toISOString(),
      end: TO.toISOString(),
      spendUsd: 812.4,
      busyShare: 0.03,
      tags: {},
    },
  ],
  rightSizing: [
    {
      instanceId: 'i-0wide',
      instanceType: 'g5.12xlarge',
      gpus: 4,
      gpusEverBusy: 1,
      suggestedType: 'g5.xlarge',
      weeklySavingUsd: 783.89,
    },
  ],
  rightSizingUnjudged: [
    {
      instanceId: 'i-0roll',
      instanceType: 'p4d.24xlarge',
      gpus: 8,
      reason: 'its GPU telemetry is a rollup over its GPUs',
    },
  ],
  regions: ['us-east-1', 'eu-west-1'],
  regionErrors: [{ region: 'eu-west-1', error: 'GetMetricData (eu-west-1): AccessDenied' }],
};

describe('the fleet headline', () => {
  it('says spend with thousands separators, the share below 5% as a percent, and never used of all', () => {
    expect(fleetHeadline(FLEET)).toBe(
      '$12,345.67 on GPUs over 7 days: 39% below 5% utilization; 293 of 510 instances never used',
    );
  });

  it('gets the plurals right for one instance and one day', () => {
    const one = { ...FLEET, from: new Date(TO.getTime() - 86_400_000).toISOString(), instances: 1, neverUsed: 0 };
    expect(fleetHeadline(one)).toContain('over 1 day:');
    expect(fleetHeadline(one)).toContain('0 of 1 instance never used');
  });
});

describe('the digest with the fleet audit', () => {
  const report = { ...auditReport(WEEK, FROM, TO), fleet: FLEET };
  const { text } = renderDigest(report);
  const lines = text.split('\n');

  it('starts with the headline numbers, by team, the costliest idle runs and the right-sizing saving', () => {
    expect(lines[1]).toBe(
      'Last week: $12,345.67 on GPUs, 39% below 5% utilization, 293 of 510 instances never used; ' +
        'by team research $9,000.00 (30% below 5%), vision $3,000.00 (67% below 5%), (untagged) $345.67 (33% below 5%); ' +
        'costliest idle runs i-0idle (g5.12xlarge, bo@example.com) $812.40, 3% busy; ' +
        'right-sizing could save $783.89/week (1 instance).',
    );
    expect(text).toContain('i-0wide: g5.12xlarge used at most 1 GPU of 4 at once; g5.xlarge would save $783.89/week');
    expect(text).toContain('1 multi-GPU instance not judged for right-sizing: its GPU telemetry is a rollup');
  });

  it('says which region could not be read', () => {
    expect(text).toContain(
      'Fleet audit: the history of eu-west-1 could not be read (GetMetricData (eu-west-1): AccessDenied).',
    );
  });

  it('then says what the reaper did and avoided', () => {
    const fleetAt = text.indexOf('Last week:');
    const didAt = text.indexOf('What the reaper did:');
    const avoidedAt = text.indexOf('Avoided: $272.66');
    expect(fleetAt).toBeGreaterThan(0);
    expect(didAt).toBeGreaterThan(fleetAt);
    expect(avoidedAt).toBeGreaterThan(didAt);
  });

  it('never lists a busy run as idle', () => {
    expect(lines[1]).not.toContain('i-0busy');
  });

  it('says so when nothing was spent or nothing can be right-sized', () => {
    const empty: FleetAudit = {
      ...FLEET,
      instances: 0,
      spendUsd: 0,
      spendByBand: bands(0, 0, 0),
      neverUsed: 0,
      groups: { Team: {} },
      runs: [],
      rightSizing: [],
      rightSizingUnjudged: [],
      regionErrors: [],
    };
    const digest = renderDigest({ ...auditReport([], FROM, TO), fleet: empty }).text;
    expect(digest.split('\n')[1]).toBe(
      'Last week: $0.00 on GPUs, nothing spent, 0 of 0 instances never used; no costly idle runs; no right-sizing to suggest.',
    );
  });
});

describe('the report table with the fleet audit', () => {
  it('prints the fleet section within 100 columns', () => {
    const text = renderAuditReport({ ...auditReport(WEEK, FROM, TO), fleet: FLEET });
    const joined = text.replace(/\n {2}/g, ' ');
    expect(joined).toContain(
      'Fleet (us-east-1, eu-west-1): $12,345.67 on GPUs over 7 days: 39% below 5% utilization; 293 of 510 instances never used.',
    );
    expect(joined).toContain('The history of eu-west-1 could not be read');
    expect(joined).toMatch(/│ research +│ 300 +│ \$9,000\.00 +│ 30% +│ 0% +│ 70% +│ 150 +│/);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });
});
