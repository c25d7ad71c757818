/**
 * The AWS regions a config or a `--region` flag may name: every region of every partition (aws, aws-cn, aws-us-gov,
 * aws-eusc, the iso partitions), as the AWS SDK's partition data lists them. A name that is not one of them
 * (`us-east-9`, `useast1`) is refused before any call, with the nearest region when one is close: otherwise its
 * calls would go to an endpoint that does not exist and fail with whatever answered.
 *
 * The list is kept here rather than read from the SDK at run time: the Lambda runs on the runtime's own copy of the
 * SDK, whose internals may differ from the one installed here. A unit test holds this list equal to the installed
 * SDK's, so an SDK that learns a region fails the test until the region is added.
 */
import { closestKey } from './config-messages';

/** Every region the SDK's partition data lists, partition by partition (its `*-global` pseudo-regions left out). */
const AWS_REGIONS: readonly string[] = [
  // aws
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'me-west-1',
  'mx-central-1',
  'sa-east-1',
  'sa-west-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  // aws-cn
  'cn-north-1',
  'cn-northwest-1',
  // aws-eusc
  'eusc-de-east-1',
  // aws-iso, aws-iso-b, aws-iso-e, aws-iso-f
  'us-iso-east-1',
  'us-iso-west-1',
  'us-isob-east-1',
  'us-isob-west-1',
  'eu-isoe-west-1',
  'us-isof-east-1',
  'us-isof-south-1',
  // aws-us-gov
  'us-gov-east-1',
  'us-gov-west-1',
];

const KNOWN: ReadonlySet<string> = new Set(AWS_REGIONS);

/** True when `name` is an AWS region, exactly as AWS spells it (lower case, no spaces). */
function isAwsRegion(name: string): boolean {
  return KNOWN.has(name);
}

/**
 * The region `name` was probably meant to be (`us-east-9` → `us-east-1`, `useast1` → `us-east-1`,
 * `US-EAST-1` → `us-east-1`), or `undefined` when none is close.
 */
function nearestRegion(name: string): string | undefined {
  return closestKey(name.trim(), AWS_REGIONS);
}

export { AWS_REGIONS, isAwsRegion, nearestRegion };
