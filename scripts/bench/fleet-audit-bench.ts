/**
 * Benchmark (g): the fleet audit of `gpu-reaper report` (and the weekly digest) for a large fleet and a week,
 * through the real reader and aggregator (`readFleetAudit`: ListMetrics, batched GetMetricData at 5-minute periods,
 * DescribeInstances, `FleetAuditor`), against the in-process fake CloudWatch and EC2 of fake-gpu-history.ts.
 *
 * Memory is the process's peak resident set (maxRSS): run it in a process of its own (`--fleet-audit-only`), or the
 * peak of the parts before it is counted too. A sampler of the resident set every 50 ms gives the peak during the
 * read alone, after a collection (the bench runs with `--expose-gc`).
 */
import { performance } from 'node:perf_hooks';
import { defaultConfig } from '../../shared/config';
import type { FleetAudit } from '../../shared/report/fleet-audit-types';
import { FLEET_PERIOD_SECONDS, INSTANCES_PER_BATCH, readFleetAudit } from '../../shared/report/read-fleet-audit';
import { type FakeCallCounts, FakeGpuHistory } from './fake-gpu-history';

/** The fleet and period of benchmark (g). */
interface FleetAuditShape {
  readonly singleGpu: number;
  readonly fourGpu: number;
  readonly days: number;
}

/** What benchmark (g) measured. */
interface FleetAuditBenchResult {
  readonly shape: FleetAuditShape;
  readonly seriesListed: number;
  readonly periodSeconds: number;
  readonly instancesPerBatch: number;
  readonly wallMs: number;
  /** Process peak resident set (`process.resourceUsage().maxRSS`), MiB. */
  readonly maxRssMiB: number;
  /** Resident set before the read (after a collection), and its sampled peak during the read, MiB. */
  readonly rssBeforeMiB: number;
  readonly sampledPeakRssMiB: number;
  readonly counts: FakeCallCounts;
  readonly audit: FleetAudit;
}

const REGION = 'us-east-1';
const DAY_MS = 86_400_000;
const mib = (bytes: number) => bytes / 1_048_576;

/**
 * Runs benchmark (g): builds the fake fleet, collects, then reads and audits the last `days` days.
 *
 * @example const result = await benchFleetAudit({ singleGpu: 7_000, fourGpu: 3_000, days: 7 });
 */
async function benchFleetAudit(shape: FleetAuditShape): Promise<FleetAuditBenchResult> {
  const config = defaultConfig();
  // The week ends on the last whole 5-minute period: the fake's datapoints sit on period starts from `from`.
  const toMs = Math.floor(Date.now() / 300_000) * 300_000;
  const fromMs = toMs - shape.days * DAY_MS;
  const fake = new FakeGpuHistory({ singleGpu: shape.singleGpu, fourGpu: shape.fourGpu, fromMs });
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage.rss();
  let sampledPeak = rssBefore;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
  }, 50);
  const started = performance.now();
  try {
    const audit = await readFleetAudit(
      config,
      { from: new Date(fromMs), to: new Date(toMs) },
      { regions: [REGION], clientsOf: (region) => fake.clients(region) },
    );
    const wallMs = performance.now() - started;
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
    const failed = audit.regionErrors?.[0];
    if (failed) throw new Error(`fleet audit: ${failed.error}`);
    return {
      shape,
      seriesListed: fake.seriesListed,
      periodSeconds: FLEET_PERIOD_SECONDS,
      instancesPerBatch: INSTANCES_PER_BATCH,
      wallMs,
      // maxRSS is in KiB.
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      rssBeforeMiB: mib(rssBefore),
      sampledPeakRssMiB: mib(sampledPeak),
      counts: { ...fake.counts },
      audit,
    };
  } finally {
    clearInterval(sampler);
  }
}

export type { FleetAuditBenchResult, FleetAuditShape };
export { benchFleetAudit };
