/**
 * What every pass verb needs from its flags: the validated config, the clock and the regions, and the adapters.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { type Config, loadConfigFile } from '../shared/config';
import { isAwsRegion, nearestRegion } from '../shared/config/aws-regions';
import { UsageError } from '../shared/errors';

/** The flags shared by `plan`, `run` and `backtest`. */
interface PassFlags {
  readonly config?: string;
  readonly region?: string[];
  readonly now?: string;
  /** `--account`: only these accounts (with `accounts` in the config). */
  readonly account?: string[];
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses `--now`; absent means the current time. */
function parseNow(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const at = new Date(text);
  if (!ISO_INSTANT.test(text) || Number.isNaN(at.getTime())) {
    throw new UsageError(`--now must be an ISO-8601 instant such as 2026-11-21T13:00:00Z, got "${text}"`);
  }
  return at;
}

/** The SDK's own default region (AWS_REGION, AWS_DEFAULT_REGION, the profile), or undefined. */
async function sdkDefaultRegion(): Promise<string | undefined> {
  const fromEnv = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  try {
    return await new EC2Client({}).config.region();
  } catch {
    return undefined;
  }
}

/**
 * Checks a `--region` value against the regions AWS has (as the config's `regions` are checked).
 *
 * @throws UsageError naming the value, and the region it was probably meant to be
 */
function checkRegionFlag(region: string): string {
  if (isAwsRegion(region)) return region;
  const near = nearestRegion(region);
  const hint = near ? ` (did you mean "${near}"?)` : '';
  throw new UsageError(`--region must be an AWS region name such as us-east-1, got "${region}"${hint}`);
}

/** Regions of a pass: `--region` flags, else `regions` in the config, else the SDK's default region. */
async function resolveRegions(flags: readonly string[] | undefined, config: Config): Promise<string[]> {
  if (flags && flags.length > 0) return [...new Set(flags.map(checkRegionFlag))];
  if (config.regions.length > 0) return [...new Set(config.regions)];
  const region = await sdkDefaultRegion();
  if (!region) throw new UsageError('no region: pass --region, set "regions" in the config, or set AWS_REGION');
  return [region];
}

/**
 * Region of the table and of the clients that are not per region: the SDK's environment (AWS_REGION,
 * AWS_DEFAULT_REGION), else the pass's first region (`regions` from {@link resolveRegions}, never empty).
 */
function homeRegionOf(regions: readonly string[]): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? regions[0]!;
}

/** Loads config, clock and regions from the flags; every problem is a usage/config error (exit 2). */
async function passContext(flags: PassFlags) {
  const now = parseNow(flags.now);
  const config = loadConfigFile(flags.config);
  const regions = await resolveRegions(flags.region, config);
  const accounts = [...new Set(flags.account ?? [])];
  for (const id of accounts) {
    if (!/^\d{12}$/.test(id)) throw new UsageError(`--account must be a 12-digit account id, got "${id}"`);
  }
  if (accounts.length > 0 && !config.accounts) {
    throw new UsageError('--account needs "accounts" in the config (without it the pass covers its own account)');
  }
  return { config, now, regions, accounts };
}

export type { PassFlags };
export { checkRegionFlag, homeRegionOf, parseNow, passContext, resolveRegions };
