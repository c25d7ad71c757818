/**
 * The fleet audit over several regions (shared/report/read-fleet-audit.ts), against mocked SDK clients: a region
 * whose history cannot be read is an error of that region, said once and in `regionErrors`, never a crash, and the
 * other regions still count.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import type { RegionClients } from '../../../shared/adapters/aws/clients';
import { parseConfig } from '../../../shared/config/schema';
import type { FleetRegionError } from '../../../shared/report/fleet-audit-types';
import { readFleetAudit } from '../../../shared/report/read-fleet-audit';

const MINUTE = 60_000;
const TO = new Date(Math.floor(Date.now() / (5 * MINUTE)) * 5 * MINUTE);
const FROM = new Date(TO.getTime() - 60 * MINUTE);

/** Clients of a region that has one g5.xlarge busy for the whole hour, or whose CloudWatch refuses every call. */
function clientsOf(region: string): RegionClients {
  const cloudwatch = new CloudWatchClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const ec2 = new EC2Client({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  cloudwatch.send = (async (command: unknown) => {
    if (region === 'eu-west-1') {
      throw Object.assign(new Error('User is not authorized to perform cloudwatch:ListMetrics'), {
        name: 'AccessDenied',
      });
    }
    if (command instanceof ListMetricsCommand) {
      return { Metrics: [{ Dimensions: [{ Name: 'InstanceId', Value: `i-${region}` }] }] };
    }
    if (command instanceof GetMetricDataCommand) {
      const input = command.input as GetMetricDataCommandInput;
      const start = (input.StartTime as Date).getTime();
      const stamps = Array.from({ length: 12 }, (_, k) => new Date(start + k * 5 * MINUTE));
      return {
        MetricDataResults: (input.MetricDataQueries ?? []).map((query) => ({
          Id: query.Id,
          Timestamps: stamps,
          Values: stamps.map(() => 80),
        })),
      };
    }
    return {};
  }) as CloudWatchClient['send'];
  ec2.send = (async (command: unknown) => {
    if (!(command instanceof DescribeInstancesCommand)) return {};
    const ids = command.input.InstanceIds ?? [];
    return {
      Reservations: [{ Instances: ids.map((InstanceId) => ({ InstanceId, InstanceType: 'g5.xlarge', Tags: [] })) }],
    };
  }) as EC2Client['send'];
  return { cloudwatch, ec2 };
}

describe('readFleetAudit', () => {
  it('reports a region it cannot read as an error of that region, and audits the others', async () => {
    const told: FleetRegionError[] = [];
    const fleet = await readFleetAudit(
      parseConfig({}),
      { from: FROM, to: TO },
      { regions: ['us-east-1', 'eu-west-1'], clientsOf, onRegionError: (error) => told.push(error) },
    );
    // An hour of g5.xlarge at $1.006/h, all above 30 %.
    expect(fleet).toMatchObject({ instances: 1, spendUsd: 1.01, regions: ['us-east-1', 'eu-west-1'] });
    expect(fleet.regionErrors).toEqual([
      { region: 'eu-west-1', error: expect.stringMatching(/not authorized to perform cloudwatch:ListMetrics/) },
    ]);
    expect(told).toEqual(fleet.regionErrors);
  });
});
