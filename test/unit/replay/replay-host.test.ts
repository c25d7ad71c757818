/**
 * The backtest replays host activity where the history has EC2's host metrics, and counts the actions GPU-only
 * judgement would have taken that a busy host held back (the false kills it avoided).
 */
import { describe, expect, it } from 'vitest';
import { replayFleet } from '../../../shared/engine/replay';
import type { HostHistory } from '../../../shared/engine/replay/types';
import { backtestDocument } from '../../../shared/render/backtest/backtest-document';
import { renderBacktestTables } from '../../../shared/render/backtest/backtest-table';
import { config, history, series, window } from './histories';

const MiB = 1024 * 1024;
/** The table's text on one line: its sentences wrap at the table's width. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** Host periods every 5 minutes over `[start, start + count)` minutes of a `length`-minute history. */
function host(length: number, ...stretches: [start: number, count: number, cpu: number, mibPerMinute: number][]) {
  const cpu = new Float32Array(length).fill(Number.NaN);
  const networkBytes = new Float64Array(length).fill(Number.NaN);
  for (const [start, count, value, rate] of stretches) {
    for (let minute = start; minute < start + count; minute += 5) {
      cpu[minute] = value;
      networkBytes[minute] = rate * MiB * 5;
    }
  }
  return { cpu, networkBytes } satisfies HostHistory;
}

describe('replayFleet with host activity', () => {
  // Downloads for 75 minutes (GPU 0%, host busy), then trains: GPU-only judgement warns at 35 and stops at 65.
  const download = series(300, [0, 75, 0], [75, 225, 90]);

  it('keeps a job still setting up that GPU-only judgement would have stopped, and counts the false kill avoided', () => {
    const withHost = history(download, {
      instanceId: 'i-download',
      host: host(300, [0, 75, 60, 300], [75, 225, 30, 2]),
    });
    const result = replayFleet([withHost], config(), window(300));
    expect(result.instances[0]?.actions).toEqual([]);
    expect(result.fleet.heldByHost).toEqual({ actions: 1, falseKills: 1 });
  });

  it('still stops a job that died at setup: its host is quiet', () => {
    const died = history(series(300, [0, 300, 0]), { instanceId: 'i-died', host: host(300, [0, 300, 1, 0.01]) });
    const result = replayFleet([died], config(), window(300));
    expect(result.instances[0]?.actions.map((a) => a.rule)).toEqual(['never-used']);
    expect(result.fleet.heldByHost).toEqual({ actions: 0, falseKills: 0 });
  });

  it('judges by the GPUs alone without host history, and says there was none', () => {
    const result = replayFleet([history(download, { instanceId: 'i-gpu-only' })], config(), window(300));
    expect(result.instances[0]?.actions.map((a) => a.rule)).toEqual(['never-used']);
    expect(result.fleet.heldByHost).toBeNull();
  });

  it('reports nothing held back with host activity off', () => {
    const withHost = history(download, { host: host(300, [0, 75, 60, 300]) });
    const result = replayFleet([withHost], config({ activity: { host: { enabled: false } } }), window(300));
    expect(result.instances[0]?.actions).toHaveLength(1);
    expect(result.fleet.heldByHost).toBeUndefined();
  });

  it('says what the host held back in the table and the JSON document', () => {
    const context = { days: 1, regions: ['us-east-1'], policy: 'default' };
    const withHost = history(download, { host: host(300, [0, 75, 60, 300], [75, 225, 30, 2]) });
    const held = replayFleet([withHost], config(), window(300));
    expect(flat(renderBacktestTables(held, context))).toContain(
      'Held back by a busy host: 1 action GPU-only judgement would have taken (a false kill: busy again within 6 hours)',
    );
    expect(backtestDocument(held, 1).fleet).toMatchObject({ heldByHost: 1, falseKillsAvoided: 1 });
    const none = replayFleet([history(download)], config(), window(300));
    expect(flat(renderBacktestTables(none, context))).toContain(
      'Host activity: no EC2 host history, so judged by the GPUs alone',
    );
    expect(backtestDocument(none, 1).fleet).toMatchObject({ heldByHost: null, falseKillsAvoided: null });
  });
});
