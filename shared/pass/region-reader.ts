/**
 * Builds a {@link RegionReader} from the EC2 and CloudWatch adapters of one region.
 */

import type { GpuMetrics } from '../adapters/cloudwatch/gpu-metrics';
import type { Ec2Instances } from '../adapters/ec2/ec2-instances';
import type { InstanceFacts } from '../engine';
import type { RegionFailure, RegionReader } from './types';

/** What the telemetry read needs of an instance. */
function readRequest({ instanceId, launchTime, privateDnsName, gpu }: InstanceFacts) {
  return {
    instanceId,
    launchTime,
    privateDnsName: privateDnsName ?? null,
    // Fractional GPUs (g6f) count their logical GPUs: one series reports for a slice.
    gpuCount: gpu.count > 0 ? gpu.count : (gpu.logicalCount ?? 0),
  };
}

/** The EC2 and CloudWatch adapters of one region behind the pass's narrow reading interface. */
function awsRegionReader(region: string, instances: Ec2Instances, metrics: GpuMetrics): RegionReader {
  const absorbed: RegionFailure[] = [];
  return {
    region,
    scanGpuInstances: async (scopeTags, accelerators) => {
      const scan = await instances.scanGpuInstances({ scopeTags, ...(accelerators ? { accelerators } : {}) });
      for (const problem of scan.problems) absorbed.push({ region, code: problem.operation, message: problem.message });
      return scan.instances;
    },
    takeProblems: () => absorbed.splice(0),
    listWarnedNotRunning: (warnedTag) => instances.listWarnedNotRunning(warnedTag),
    readGpuTelemetry: (list, window) =>
      metrics.read(
        list.map((instance) => ({
          ...readRequest(instance),
          hostFrom: window.hostFrom?.(instance) ?? null,
        })),
        window,
      ),
    unmatchedSeries: () => metrics.unmatchedSeries,
    telemetrySplits: () => metrics.readStats.splits,
  };
}

export { awsRegionReader };
