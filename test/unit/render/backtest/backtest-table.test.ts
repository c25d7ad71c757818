/**
 * The backtest as the terminal shows it: every line within 100 columns for a realistic fleet (long owners, long
 * Name tags, two dozen instances), percentages rounded for people, plurals right, and each instance's Name tag
 * beside its id.
 */
import { describe, expect, it } from 'vitest';
import { replayFleet, sweep } from '../../../../shared/engine/replay';
import type { BacktestResult } from '../../../../shared/engine/replay/types';
import { policyLine } from '../../../../shared/render/backtest/backtest-summary';
import { renderBacktestTables } from '../../../../shared/render/backtest/backtest-table';
import { columns } from '../../../../shared/render/tables/terminal-wrap';
import { config, history, series, window } from '../../replay/histories';

const DAY = 1_440;
const CONFIG = config({ mode: 'enforce' });
/** Float32 keeps 1.9975488 as 1.9975488185882568: the number the tables once printed raw. */
const NEAR_TWO = 1.9975488;

/** 24 instances: every third never used (GPU max just under 2%), the others idle with a busy spell. */
const HISTORIES = Array.from({ length: 24 }, (_, i) =>
  history(series(DAY, [0, 600, (minute) => (i % 3 === 0 ? NEAR_TWO : minute > 200 && minute < 230 ? 60 : 1.3)]), {
    instanceId: `i-0${String(i).padStart(16, 'a')}`,
    owner: `owner-with-a-rather-long-name-${i}@research.example.com`,
    // The last one is gone from EC2: no tags, so no name.
    tags: i === 23 ? {} : { Name: `training-job-${i}-with-a-long-descriptive-name-that-goes-on` },
  }),
);
const WINDOW = window(DAY);
const RESULT = replayFleet(HISTORIES, CONFIG, WINDOW);
const CONTEXT = { days: 1, regions: ['us-east-1', 'eu-west-1', 'ap-northeast-1'], policy: policyLine(CONFIG) };

const SWEEP = sweep(HISTORIES, CONFIG, WINDOW);
const render = (result: BacktestResult = RESULT, days = 1) =>
  renderBacktestTables(result, { ...CONTEXT, days, limit: 30 }, SWEEP);
/** The text with the sentences' wrapped lines joined again (tables start at column 0, continuations at 2). */
const unwrapped = (text: string) => text.replace(/\n {2}/g, ' ');
const withFleet = (fleet: Partial<BacktestResult['fleet']>): BacktestResult => ({
  ...RESULT,
  fleet: { ...RESULT.fleet, ...fleet },
});

describe('the backtest tables', () => {
  it('fit every line within 100 columns, for 24 instances with long owners and names', () => {
    const lines = render().split('\n');
    expect(lines.length).toBeGreaterThan(24);
    const wide = lines.filter((line) => columns(line) > 100);
    expect(wide).toEqual([]);
  });

  it('round every percentage to at most one decimal', () => {
    const text = render();
    expect(text).not.toMatch(/\d\.\d{2,}%/);
    expect(text).not.toContain('1.9975');
    // The never-used instances show their GPU maximum rounded.
    expect(text).toMatch(/│ 2%\s+│/);
  });

  it('say "1 day" and "2 days"', () => {
    expect(render(RESULT, 1)).toMatch(/^gpu-reaper backtest: 1 day, /);
    expect(render(RESULT, 2)).toMatch(/^gpu-reaper backtest: 2 days, /);
  });

  it('say "1 false kill" and "2 false kills", "1 warning", "1 action"', () => {
    const one = unwrapped(render(withFleet({ falseKills: 1, warnings: 1, actions: 1 })));
    expect(one).toContain('1 warning, 1 action (');
    expect(one).toContain('1 false kill (busy again within 6 hours)');
    const two = unwrapped(render(withFleet({ falseKills: 2, warnings: 2, actions: 2 })));
    expect(two).toContain('2 warnings, 2 actions (');
    expect(two).toContain('2 false kills (busy again within 6 hours)');
  });

  it('show the Name tag beside the id, and the id alone when the instance has none', () => {
    const text = render();
    // A long name goes under the id, cut to the column.
    expect(text).toMatch(/│ i-0aaaaaaaaaaaaaaa0 +│[^\n]*\n│ \(training-job-0-with-a-long-/);
    expect(text).toMatch(/│ i-0aaaaaaaaaaaaaa23\s+│/);
    expect(text).not.toContain('i-0aaaaaaaaaaaaaa23 (');
    // A short one beside it.
    const named = history(series(DAY, [0, 600, 0]), {
      instanceId: 'i-0bbbbbbbbbbbbbbb1',
      tags: { Name: 'llama-ft-7' },
    });
    const short = renderBacktestTables(replayFleet([named], CONFIG, WINDOW), CONTEXT);
    expect(short).toMatch(/│ i-0bbbbbbbbbbbbbbb1 \(llama-ft-7\) +│ g5\.xlarge/);
  });

  it('say how many instances a missing price leaves at $0, in the singular for one', () => {
    expect(render(withFleet({ unpriced: 1 }))).toContain('1 instance of a type without a known price count $0.');
    expect(render(withFleet({ unpriced: 3 }))).toContain('3 instances of a type without a known price count $0.');
  });
});
