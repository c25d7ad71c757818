/**
 * The pass as people and machines read it: the table fits a 100-column terminal, shows how long each instance sat
 * idle and what that burned, what really happens to it, and says a region was not scanned instead of showing an
 * empty fleet; the JSON decision carries `hourlyUsd` and the summary counts unscanned regions as errors.
 */
import { describe, expect, it } from 'vitest';
import { type Decision, decideInstance } from '../../../../shared/engine';
import type { PassResult } from '../../../../shared/pass/types';
import { actionText, renderDecisionTable } from '../../../../shared/render/tables/decision-table';
import { passDocument } from '../../../../shared/render/tables/pass-document';
import { ago, config, instance, NOW, points, telemetry } from '../../engine/fixtures';

function idleSince(hourlyUsd: number | null): Decision {
  // Idle since its launch 2h10m ago, at $1.006/h: 130/60 × 1.006 = $2.18.
  const series = telemetry(points(1), { sinceLaunchMax: 1 });
  return decideInstance(
    { instance: instance({ launchTime: ago('2h10m') }), telemetry: series, warning: null, hourlyUsd },
    config(),
    NOW,
  );
}

function result(decisions: readonly Decision[], overrides: Partial<PassResult> = {}): PassResult {
  return {
    passId: 'p-1',
    mode: 'dry-run',
    now: NOW,
    regions: ['us-east-1'],
    decisions,
    regionFailures: [],
    telemetryBrake: false,
    capped: 0,
    ...overrides,
  };
}

const widest = (text: string) => Math.max(...text.split('\n').map((line) => Array.from(line).length));
const REJECTED = { region: 'eu-west-3', code: 'AWS_CALL', message: 'DescribeInstances (eu-west-3): denied\n  twice' };

describe('the decision table', () => {
  it('says what the telemetry brake held back, and never claims it held back what was not there', () => {
    const idle = idleSince(1.006);
    const heldBack: Decision = {
      ...idle,
      outcome: 'skip',
      reason: `held back: GPU telemetry is missing (${idle.reason})`,
    };
    const held = renderDecisionTable(result([heldBack], { telemetryBrake: true }));
    expect(held.replace(/\s+/g, ' ')).toContain(
      'more than half of the fleet: 1 idle or never-used instance held back this pass',
    );
    const busy = renderDecisionTable(result([], { telemetryBrake: true }));
    expect(busy.replace(/\s+/g, ' ')).toContain('nothing was idle to hold back this pass');
    expect(busy).not.toContain('never-used held back');
  });

  it('shows how long the instance sat idle and the money burned meanwhile', () => {
    const table = renderDecisionTable(result([idleSince(1.006)]));
    expect(table).toMatch(/│ idle 2h10m, \$2\.18 burned\s+│/);
  });

  it('says the price is unknown rather than inventing one', () => {
    expect(renderDecisionTable(result([idleSince(null)]))).toMatch(/│ idle 2h10m, price unknown\s+│/);
  });

  it('fits a 100-column terminal, the reason wrapped', () => {
    const long = { ...idleSince(1.006), owner: 'a-very-long-owner-name@an-example-company.example.com' };
    const table = renderDecisionTable(result([long, { ...long, reason: 'word '.repeat(200) }]));
    expect(widest(table)).toBeLessThanOrEqual(100);
  });

  it('keeps the heading and counts within 100 columns for many regions, and writes plurals right', () => {
    const regions = [
      'us-east-1',
      'us-east-2',
      'us-west-2',
      'eu-west-1',
      'eu-central-1',
      'ap-northeast-1',
      'ap-south-1',
    ];
    const many = renderDecisionTable(result([idleSince(1.006)], { regions, capped: 2 }));
    expect(widest(many)).toBeLessThanOrEqual(100);
    expect(many).toContain('ap-south-1');
    expect(many).toContain('\n2 actions held back by maxActionsPerPass');
    expect(renderDecisionTable(result([idleSince(1.006)], { capped: 1 }))).toContain(
      '\n1 action held back by maxActionsPerPass',
    );
    const withAccounts = renderDecisionTable(result([idleSince(1.006)]), 100, { accounts: true });
    expect(withAccounts).toMatch(/ in 1 account, us-east-1\n/);
  });

  it('shows the action time as the headings do, in UTC and relative', () => {
    expect(renderDecisionTable(result([idleSince(1.006)]))).toMatch(
      /│ stop at 12:30 UTC\s+│[^\n]*\n│[^│]+│ \(in 30m\)\s+│/,
    );
  });

  it('names each region that was not scanned in place of "no instances", and counts it as an error', () => {
    const second = { ...REJECTED, region: 'ap-south-2' };
    const table = renderDecisionTable(result([], { regionFailures: [REJECTED, second] }));
    expect(table).not.toContain('no running GPU instances');
    expect(table).toContain('region eu-west-3 not scanned: DescribeInstances (eu-west-3): denied twice');
    expect(table).toContain('region ap-south-2 not scanned');
    expect(table).toContain('errors 2');
    const long = { ...REJECTED, message: 'because '.repeat(30) };
    expect(widest(renderDecisionTable(result([], { regionFailures: [long] })))).toBeLessThanOrEqual(100);
  });

  it('heads the table with the pass, its clock in UTC and its regions', () => {
    expect(renderDecisionTable(result([])).split('\n')[0]).toBe(
      'gpu-reaper [DRY RUN] pass p-1 at 2025-06-02 12:00 UTC in us-east-1',
    );
  });

  it('still says so when nothing was in scope and every region was scanned', () => {
    expect(renderDecisionTable(result([]))).toContain('(no running GPU instances in scope)\nscanned 0');
  });
});

describe('the action a row shows', () => {
  const base = { outcome: 'skip', action: 'stop', actAt: null } as const;

  it.each([
    [{ ...base, rule: 'protected' }, 'none (protected)'],
    [{ ...base, rule: 'capped' }, 'stop held back (capped)'],
    [{ ...base, rule: 'opt-out' }, '-'],
    [{ ...base, outcome: 'notify', rule: 'no-telemetry', action: 'notify' }, 'notify'],
    [{ ...base, outcome: 'keep', rule: null, action: null }, '-'],
  ] as const)('never shows stop for an instance that will not be stopped (%j)', (decision, shown) => {
    expect(actionText(decision, NOW)).toBe(shown);
  });

  it('shows the date of an action on another day', () => {
    const decision = {
      outcome: 'warn',
      rule: 'max-runtime',
      action: 'stop',
      actAt: '2025-06-03T09:05:00.000Z',
    } as const;
    expect(actionText(decision, NOW)).toBe('stop at Jun 3 09:05 UTC (in 21h5m)');
  });
});

describe('the JSON decision', () => {
  it('carries hourlyUsd, and the evidence carries idleMinutes and idleUsd', () => {
    const [decision] = passDocument(result([idleSince(1.006)])).decisions;
    expect(decision).toMatchObject({ outcome: 'warn', hourlyUsd: 1.006 });
    expect(decision?.evidence).toMatchObject({ idleMinutes: 130, idleUsd: 2.18 });
  });

  it('counts each region not scanned in summary.errors, next to regionErrors', () => {
    const document = passDocument(result([idleSince(1.006)], { regionFailures: [REJECTED] }));
    expect(document.summary).toMatchObject({ scanned: 1, warned: 1, errors: 1 });
    expect(document.regionErrors).toEqual([REJECTED]);
  });
});
