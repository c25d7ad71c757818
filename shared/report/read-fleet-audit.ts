/**
 * The fleet audit of the report, read from CloudWatch the way the backtest reads its history (batched
 * GetMetricData, the per-minute GPU maximum, instances from EC2 where they still exist, else from their metrics),
 * region by region and in batches of instances that are added to the audit and dropped, so memory holds one batch.
 *
 * History is read at 5-minute periods: a week of 5-minute maxima puts every minute in the band its 1-minute maximum
 * would reach or a higher one, never-used holds alike (a 5-minute maximum below the threshold means every minute
 * was), and it costs a fifth of the datapoints of 1-minute data. A region that cannot be read is an error of that
 * region (`regionErrors`), never the end of the report.
 */
import type { RegionClients } from '../adapters/aws/clients';
import { streamInstanceHistories } from '../adapters/cloudwatch/gpu-history';
import type { GpuHistoryOptions } from '../adapters/cloudwatch/gpu-history-metrics';
import type { Config } from '../config/schema';
import { FleetAuditor } from './fleet-audit';
import type { FleetAudit, FleetRegionError } from './fleet-audit-types';

/** The period the fleet audit reads, in seconds (see the file's comment for why 5 minutes). */
const FLEET_PERIOD_SECONDS = 300;
/** Instances read, joined and added per batch: a batch of a week at 5-minute data holds ~20 MB of arrays. */
const INSTANCES_PER_BATCH = 500;

/** Where and how the fleet audit reads. */
interface FleetReadOptions {
  /** The regions to read (the config's `regions`, else the home region). */
  readonly regions: readonly string[];
  /** The clients of one region. */
  readonly clientsOf: (region: string) => RegionClients;
  /** Told of each region that could not be read (the CLI writes it on stderr), besides `regionErrors`. */
  readonly onRegionError?: (error: FleetRegionError) => void;
  /** Reader options (tests: datapoints per call). @default periods of 300 s, 500 instances a batch */
  readonly history?: GpuHistoryOptions;
}

const oneLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/**
 * Reads the audit of `[from, to)` over `options.regions`.
 *
 * @example const fleet = await readFleetAudit(config, { from, to }, { regions: ['us-east-1'], clientsOf: createRegionClients });
 */
async function readFleetAudit(
  config: Config,
  range: { readonly from: Date; readonly to: Date },
  options: FleetReadOptions,
): Promise<FleetAudit> {
  const auditor = new FleetAuditor(config, range);
  const regionErrors: FleetRegionError[] = [];
  const history: GpuHistoryOptions = {
    periodSeconds: FLEET_PERIOD_SECONDS,
    instancesPerBatch: INSTANCES_PER_BATCH,
    ...options.history,
    busyThreshold: config.idle.threshold,
  };
  for (const region of options.regions) {
    // A region's instances count only once the whole region is read: a half-read region would mislead.
    const regional = new FleetAuditor(config, range);
    try {
      const batches = streamInstanceHistories(options.clientsOf(region), region, config, range, {
        ...history,
        host: false,
      });
      for await (const batch of batches) regional.addAll(batch);
      auditor.merge(regional);
    } catch (error) {
      const failed = { region, error: oneLine(error) };
      regionErrors.push(failed);
      options.onRegionError?.(failed);
    }
  }
  return { ...auditor.result(), regions: [...options.regions], regionErrors };
}

export type { FleetReadOptions };
export { FLEET_PERIOD_SECONDS, INSTANCES_PER_BATCH, readFleetAudit };
