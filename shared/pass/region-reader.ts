/**
 * Builds a {@link RegionReader} from the EC2 and CloudWatch adapters of one region.
 */

import type { RegionClients } from '../adapters/clients';
import { Ec2Instances } from '../adapters/ec2-instances';
import { GpuMetrics } from '../adapters/gpu-metrics';
import type { Config } from '../config';
import type { RegionReader } from './types';

/** The EC2 and CloudWatch adapters of one region behind the pass's narrow reading interface. */
function awsRegionReader(region: string, clients: RegionClients, config: Config): RegionReader {
  const instances = new Ec2Instances(clients.ec2, region);
  const metrics = new GpuMetrics(clients.cloudwatch, region, config.metrics);
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
