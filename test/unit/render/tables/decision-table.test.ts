/**
 * The pass as people and machines read it: the table shows how long each instance sat idle and what that burned,
 * and the JSON decision carries `hourlyUsd` next to SPEC.md's fields.
 */
import { describe, expect, it } from 'vitest';
import { decideInstance } from '../../../../shared/engine';
import type { PassResult } from '../../../../shared/pass/types';
import { renderDecisionTable } from '../../../../shared/render/tables/decision-table';
import { passDocument } from '../../../../shared/render/tables/pass-document';
import { ago, config, instance, NOW, points, telemetry } from '../../engine/fixtures';

function result(hourlyUsd: number | null): PassResult {
  // Idle since its launch 2h10m ago (never used), at $1.006/h: 130/60 × 1.006 = $2.18.
  const series = telemetry(points(1), { sinceLaunchMax: 1 });
  const decision = decideInstance(
    { instance: instance({ launchTime: ago('2h10m') }), telemetry: series, warning: null, hourlyUsd },
    config(),
    NOW,
  );
  return {
    passId: 'p-1',
    mode: 'dry-run',
    now: NOW,
    regions: ['us-east-1'],
    decisions: [decision],
    regionFailures: [],
    telemetryBrake: false,
    capped: 0,
  };
}

describe('the decision table', () => {
  it('shows how long the instance sat idle and the money burned meanwhile', () => {
    const table = renderDecisionTable(result(1.006));
    expect(table).toContain('Idle (burned)');
    const row = table.split('\n').filter((line) => line.includes('i-0aaaaaaaaaaaaaaa1') || line.includes('burned'));
    expect(row.join('\n')).toMatch(/│ idle 2h10m,\s+│[^\n]*\n[^\n]*│ \$2\.18 burned\s+│/);
  });

  it('says the price is unknown rather than inventing one', () => {
    const table = renderDecisionTable(result(null));
    expect(table).toMatch(/│ idle 2h10m,\s+│[^\n]*\n[^\n]*│ price unknown\s+│/);
  });
});

describe('the JSON decision', () => {
  it('carries hourlyUsd, and the evidence carries idleMinutes and idleUsd', () => {
    const [decision] = passDocument(result(1.006)).decisions;
    expect(decision).toMatchObject({ rule: 'never-used', outcome: 'warn', hourlyUsd: 1.006 });
    expect(decision?.evidence).toMatchObject({ idleMinutes: 130, idleUsd: 2.18 });
  });
});
