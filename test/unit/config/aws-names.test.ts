/**
 * Names AWS owns, checked in the config and on the command line: a region must be one AWS has (every partition's,
 * as the SDK lists them), with the nearest one named for a near miss; `tagPrefix` may not claim EC2's reserved
 * `aws:` keys, in any case.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkRegionFlag } from '../../../cli/pass-context';
import { parseConfig } from '../../../shared/config';
import { AWS_REGIONS, isAwsRegion, nearestRegion } from '../../../shared/config/aws-regions';
import { UsageError } from '../../../shared/errors';
import { configProblems, configRefusal } from '../../helpers/config-refusal';

/** The SDK's own partition data (`partitions.json`, compiled into @aws-sdk/core). */
async function sdkPartitions(): Promise<{ id: string; regions: Record<string, unknown> }[]> {
  const root = dirname(createRequire(import.meta.url).resolve('@aws-sdk/core/package.json'));
  const file = join(root, 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js');
  const { partitionsInfo } = await import(pathToFileURL(file).href);
  return partitionsInfo.partitions;
}

describe('the regions AWS has', () => {
  it('are exactly the regions of every partition the installed SDK knows (its *-global names aside)', async () => {
    const partitions = await sdkPartitions();
    expect(partitions.map((partition) => partition.id)).toEqual(
      expect.arrayContaining(['aws', 'aws-cn', 'aws-us-gov']),
    );
    const sdk = partitions
      .flatMap((partition) => Object.keys(partition.regions))
      .filter((name) => !name.endsWith('-global'));
    expect([...AWS_REGIONS].sort()).toEqual(sdk.sort());
  });

  it.each(['us-east-1', 'eu-west-3', 'cn-northwest-1', 'us-gov-west-1', 'us-isob-east-1', 'eusc-de-east-1'])(
    'knows %s',
    (name) => {
      expect(isAwsRegion(name)).toBe(true);
      expect(configProblems({ regions: [name] })).toEqual([]);
    },
  );

  it.each(['us-east-9', 'useast1', 'US-EAST-1', ' us-east-1', 'aws-global', 'moon-1', ''])(
    'does not know %j',
    (name) => {
      expect(isAwsRegion(name)).toBe(false);
    },
  );

  it.each([
    ['us-east-9', 'us-east-1'],
    ['useast1', 'us-east-1'],
    ['US-EAST-1', 'us-east-1'],
    ['eu-west-9', 'eu-west-1'],
    ['us-gov-west-2', 'us-gov-west-1'],
    ['ap-southeast-22', 'ap-southeast-2'],
  ])('names the region %s was meant to be: %s', (name, meant) => {
    expect(nearestRegion(name)).toBe(meant);
  });

  it('names none when nothing is close', () => {
    expect(nearestRegion('moon-1')).toBeUndefined();
    expect(nearestRegion('xx-nope-1')).toBeUndefined();
  });
});

describe('regions in the config', () => {
  it('refuses a region AWS does not have, by key path, with the region it was meant to be', () => {
    expect(configRefusal({ regions: ['us-east-1', 'us-east-9'] })).toEqual([
      'regions[1]: must be an AWS region name (got "us-east-9"; did you mean "us-east-1"?)',
    ]);
    expect(configRefusal({ regions: ['useast1'] })).toEqual([
      'regions[0]: must be an AWS region name (got "useast1"; did you mean "us-east-1"?)',
    ]);
  });

  it('refuses it in an account override too, with the full key path', () => {
    const raw = { accounts: { ids: ['111111111111'], overrides: { '111111111111': { regions: ['eu-west-9'] } } } };
    expect(configRefusal(raw)).toEqual([
      'accounts.overrides.111111111111.regions[0]: must be an AWS region name (got "eu-west-9"; did you mean "eu-west-1"?)',
    ]);
  });
});

describe('--region', () => {
  it('passes a region AWS has', () => {
    expect(checkRegionFlag('ap-south-2')).toBe('ap-south-2');
  });

  it.each([
    ['us-east-9', '--region must be an AWS region name such as us-east-1, got "us-east-9" (did you mean "us-east-1"?)'],
    ['moon-1', '--region must be an AWS region name such as us-east-1, got "moon-1"'],
  ])('refuses %s as bad usage, naming it', (name, message) => {
    expect(() => checkRegionFlag(name)).toThrow(UsageError);
    expect(() => checkRegionFlag(name)).toThrow(message);
  });
});

describe('tagPrefix', () => {
  const refusal = (prefix: string) =>
    `tagPrefix: must not start with "aws:", in any case: EC2 reserves those tag keys (got ${JSON.stringify(prefix)})`;

  it.each(['aws:', 'aws:reaper:', 'AWS:', 'Aws:gpu-reaper:', ' aws:', '\taws:x'])('refuses %j', (prefix) => {
    expect(configRefusal({ tagPrefix: prefix })).toEqual([refusal(prefix)]);
  });

  it('refuses it in an account override too', () => {
    const raw = { accounts: { ids: ['111111111111'], overrides: { '111111111111': { tagPrefix: 'AWS:' } } } };
    expect(configRefusal(raw)).toEqual([`accounts.overrides.111111111111.${refusal('AWS:')}`]);
  });

  it.each(['gpu-reaper:', 'aws-reaper:', 'awsome:', 'team:aws:'])('accepts %j', (prefix) => {
    expect(parseConfig({ tagPrefix: prefix }).tagPrefix).toBe(prefix);
  });
});
