/**
 * DescribeInstances answers whose instances have no `Tags` key (EC2 leaves it out when it is busy or the caller's
 * policy hides tags): the reaper must re-fetch the tags (DescribeTags) before deciding anything, honour an opt-out
 * found that way, and, when the re-fetch fails, decide nothing for that region rather than assume "no tags".
 * Against moto with the real SDK; a middleware removes the key from the answers, as such an answer would come.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { GpuMetrics } from '../../../shared/adapters/cloudwatch/gpu-metrics';
import { Ec2Instances } from '../../../shared/adapters/ec2/ec2-instances';
import { parseConfig } from '../../../shared/config';
import { planPass } from '../../../shared/pass/plan-pass';
import { awsRegionReader } from '../../../shared/pass/region-reader';
import type { RegionReader } from '../../../shared/pass/types';
import { launchInstances } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';

const moto = useMoto();
const config = parseConfig({});

interface Wiring {
  /** Every EC2 operation sent, then `decide` once the scan handed its instances over, in order. */
  readonly log: string[];
  readonly reader: RegionReader;
}

/**
 * A region reader over real clients whose DescribeInstances answers lose their `Tags` key; `failDescribeTags`
 * makes DescribeTags fail as a throttled call would.
 */
function wiring(options: { readonly stripTags: boolean; readonly failDescribeTags?: boolean }): Wiring {
  const log: string[] = [];
  const ec2 = new EC2Client(clientOptions(moto.region, { maxAttempts: 1 }));
  ec2.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      log.push(operation);
      if (operation === 'DescribeTags' && options.failDescribeTags) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded', $fault: 'client' });
      }
      const result = await next(args);
      const output = result.output as { Reservations?: { Instances?: { Tags?: unknown }[] }[] };
      if (operation === 'DescribeInstances' && options.stripTags) {
        for (const reservation of output.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) delete instance.Tags;
        }
      }
      return result;
    },
    { step: 'initialize', name: 'missingTagsKey' },
  );
  const cloudwatch = new CloudWatchClient(clientOptions(moto.region));
  const inner = awsRegionReader(
    moto.region,
    new Ec2Instances(ec2, moto.region),
    new GpuMetrics(cloudwatch, moto.region, config.metrics.sources),
  );
  const reader: RegionReader = {
    ...inner,
    scanGpuInstances: async (scopeTags) => {
      const instances = await inner.scanGpuInstances(scopeTags);
      log.push('decide');
      return instances;
    },
  };
  return { log, reader };
}

describe('instances answered without a Tags key', () => {
  let optedOut: string;
  let plain: string;
  /** Past the default 12h max runtime: without its opt-out tag, an instance is warned. */
  let now: Date;

  beforeAll(async () => {
    await moto.reset();
    const ec2 = new EC2Client(clientOptions(moto.region));
    optedOut = (
      await launchInstances(ec2, {
        instanceType: 'g5.xlarge',
        tags: { Owner: 'ana@example.com', 'gpu-reaper:opt-out': 'keep: training run' },
      })
    )[0]!;
    plain = (await launchInstances(ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'bo@example.com' } }))[0]!;
    now = new Date(Date.now() + 13 * 3_600_000);
  });

  it('re-fetches the tags with one DescribeTags before deciding, and honours the opt-out found there', async () => {
    const { log, reader } = wiring({ stripTags: true });

    const result = await planPass({ config, now, readers: [reader] });

    expect(log.indexOf('DescribeTags')).toBeGreaterThan(log.indexOf('DescribeInstances'));
    expect(log.indexOf('DescribeTags')).toBeLessThan(log.indexOf('decide'));
    expect(log.filter((operation) => operation === 'DescribeTags')).toHaveLength(1);
    const byId = new Map(result.decisions.map((decision) => [decision.instanceId, decision]));
    expect(byId.get(optedOut)).toMatchObject({ outcome: 'skip', rule: 'opt-out', owner: 'ana@example.com' });
    expect(byId.get(optedOut)?.reason).toContain('gpu-reaper:opt-out="keep: training run"');
    expect(byId.get(plain)).toMatchObject({ outcome: 'warn', rule: 'max-runtime', owner: 'bo@example.com' });
  });

  it('decides nothing in the region when the tags cannot be re-fetched', async () => {
    const { log, reader } = wiring({ stripTags: true, failDescribeTags: true });

    const result = await planPass({ config, now, readers: [reader] });

    expect(log).toContain('DescribeTags');
    expect(log).not.toContain('decide');
    expect(result.decisions).toEqual([]);
    expect(result.regionFailures).toEqual([
      expect.objectContaining({ region: moto.region, message: expect.stringContaining('DescribeTags') }),
    ]);
  });

  it('asks nothing more when the answer carries the Tags key', async () => {
    const { log, reader } = wiring({ stripTags: false });

    const result = await planPass({ config, now, readers: [reader] });

    expect(log).not.toContain('DescribeTags');
    expect(result.decisions.find((decision) => decision.instanceId === optedOut)?.rule).toBe('opt-out');
  });
});
