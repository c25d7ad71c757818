/**
 * EC2's host metrics over a backtest's history (`AWS/EC2` CPU maximum and network in + out per instance), on the
 * GPU history's minute grid, so the replay judges host activity as a live pass would. Read at 5-minute periods:
 * what basic monitoring publishes, and what detailed monitoring sums to; CloudWatch keeps them for 63 days, the
 * backtest's longest history. Batched like the GPU history; an instance whose read fails has no host history
 * (host unknown), never a quiet one.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { HostHistory } from '../../engine/replay/types';
import { readSeriesGroups } from './gpu-metric-batches';
import { hostSeries } from './host-metrics';

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * The host history of each of `instanceIds` over `[from, to)` that has at least one datapoint.
 *
 * @example const host = await readHostHistories(cloudwatch, 'us-east-1', ids, { from, to });
 */
async function readHostHistories(
  client: CloudWatchClient,
  region: string,
  instanceIds: readonly string[],
  range: { readonly from: Date; readonly to: Date },
): Promise<Map<string, HostHistory>> {
  const fromMs = range.from.getTime();
  const length = Math.max(0, Math.ceil((range.to.getTime() - fromMs) / MINUTE));
  const histories = new Map<string, { cpu: Float32Array; networkBytes: Float64Array; seen: boolean }>();
  for (const id of instanceIds) {
    histories.set(id, {
      cpu: new Float32Array(length).fill(Number.NaN),
      networkBytes: new Float64Array(length).fill(Number.NaN),
      seen: false,
    });
  }
  const failed = new Set<string>();
  // A day per call chain: small answers, and a local endpoint's cost per call stays flat (it grows with the range).
  for (let sliceFrom = fromMs; sliceFrom < range.to.getTime(); sliceFrom += DAY) {
    const start = new Date(sliceFrom);
    const end = new Date(Math.min(sliceFrom + DAY, range.to.getTime()));
    const groups = instanceIds.map((instanceId) => ({ instanceId, series: hostSeries(instanceId), start }));
    const results = await readSeriesGroups(client, region, groups, {
      end,
      periodSeconds: 300,
      sink: (instanceId, position, sample) => {
        const history = histories.get(instanceId);
        const minute = Math.floor((sample.at - fromMs) / MINUTE);
        if (!history || minute < 0 || minute >= length || !(sample.value >= 0)) return;
        history.seen = true;
        if (position === 0) {
          const seen = history.cpu[minute]!;
          const cpu = Math.min(sample.value, 100);
          history.cpu[minute] = Number.isNaN(seen) ? cpu : Math.max(seen, cpu);
        } else {
          const seen = history.networkBytes[minute]!;
          history.networkBytes[minute] = (Number.isNaN(seen) ? 0 : seen) + sample.value;
        }
      },
    });
    for (const [id, result] of results) if (result.error) failed.add(id);
  }
  const read = new Map<string, HostHistory>();
  for (const [id, history] of histories) {
    if (history.seen && !failed.has(id)) read.set(id, { cpu: history.cpu, networkBytes: history.networkBytes });
  }
  return read;
}

export { readHostHistories };
