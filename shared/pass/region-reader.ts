/**
 * Builds a {@link RegionReader} from the EC2 and CloudWatch adapters of one region.
 */
import type { Ec2Instances } from '../adapters/ec2-instances';
import type { GpuMetrics } from '../adapters/gpu-metrics';
import type { RegionReader } from './types';

/** The EC2 and CloudWatch adapters of one region behind the pass's narrow reading interface. */
function awsRegionReader(region: string, instances: Ec2Instances, metrics: GpuMetrics): RegionReader {
  return {
    region,
    scanGpuInstances: async (scopeTags) => (await instances.scanGpuInstances({ scopeTags })).instances,
    readGpuTelemetry: (list, window) =>
      metrics.read(
        list.map(({ instanceId, launchTime }) => ({ instanceId, launchTime })),
        window,
      ),
  };
}

export { awsRegionReader };
