/**
 * Credentials of a member account: STS AssumeRole into `arn:<partition>:iam::<id>:role/<roleName>` (with the
 * external id when set) through the SDK's `fromTemporaryCredentials`, cached per role and refreshed five minutes
 * before they expire. The hub's own credentials (the SDK's chain) sign the AssumeRole call.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { type ClientFactoryOptions, clientOptions } from '../../adapters/aws/clients';
import { RoleSessionName } from '../../config/role-sessions';

/** The name a target pass's AssumeRole gives its session: CloudTrail in the member account shows it. */
const ROLE_SESSION_NAME = RoleSessionName.targetPass;
/** Credentials are renewed this long before they expire, so no call is signed with credentials about to lapse. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/** The AWS partition of a region: `aws-cn` in China, `aws-us-gov` in GovCloud, else `aws`. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

/**
 * The spoke role of `accountId`.
 *
 * @example spokeRoleArn('111111111111', 'GpuReaperSpoke', 'us-east-1') // 'arn:aws:iam::111111111111:role/GpuReaperSpoke'
 */
function spokeRoleArn(accountId: string, roleName: string, homeRegion: string): string {
  return `arn:${partitionOf(homeRegion)}:iam::${accountId}:role/${roleName}`;
}

/** A provider that keeps its last credentials until five minutes before they expire; a failure is not kept. */
function refreshing(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (identity: AwsCredentialIdentity) =>
    !identity.expiration || identity.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS;
  return async () => {
    if (current) {
      const identity = await current.catch(() => undefined);
      if (identity && fresh(identity)) return identity;
    }
    const next = provider();
    current = next;
    next.catch(() => {
      if (current === next) current = undefined;
    });
    return next;
  };
}

// One provider per role lives as long as the Lambda container (or the CLI process): credentials are reused.
const providers = new Map<string, AwsCredentialIdentityProvider>();

/** What assuming a spoke role needs. */
interface AssumeRoleSettings {
  readonly accountId: string;
  readonly roleName: string;
  /** @default none */
  readonly externalId?: string | null;
  /** The hub's region: where STS is called and which partition the role is in. */
  readonly homeRegion: string;
  /**
   * The session's name: the spoke role lets the owner-action endpoint's session (`RoleSessionName.ownerAction`) do
   * the owner actions only. @default the target pass's (`gpu-reaper`)
   */
  readonly sessionName?: RoleSessionName;
  /**
   * Settings and layers for the STS client (tests: a fault injector). With these set, the provider is not shared.
   * @default the project's defaults, no layers, one cached provider per role
   */
  readonly clients?: ClientFactoryOptions;
}

/**
 * The credentials of the spoke role in `settings.accountId`, cached and refreshed.
 *
 * @example new EC2Client({ region, credentials: spokeCredentials({ accountId, roleName, homeRegion }) })
 */
function spokeCredentials(settings: AssumeRoleSettings): AwsCredentialIdentityProvider {
  const roleArn = spokeRoleArn(settings.accountId, settings.roleName, settings.homeRegion);
  const sessionName = settings.sessionName ?? ROLE_SESSION_NAME;
  const key = `${roleArn}|${settings.externalId ?? ''}|${settings.homeRegion}|${sessionName}`;
  const shared = settings.clients ? undefined : providers.get(key);
  if (shared) return shared;
  const layers = [settings.clients?.counter, ...(settings.clients?.layers ?? [])].filter((layer) => !!layer);
  const provider = refreshing(
    fromTemporaryCredentials({
      params: {
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        ...(settings.externalId ? { ExternalId: settings.externalId } : {}),
      },
      clientConfig: clientOptions(settings.homeRegion, settings.clients),
      // The same layers as every other client of the pass (a call counter, a fault injector in tests).
      clientPlugins: layers.map((layer) => ({
        applyToStack: (stack: unknown) => layer.attach({ middlewareStack: stack }),
      })),
    }),
  );
  if (!settings.clients) providers.set(key, provider);
  return provider;
}

export type { AssumeRoleSettings };
export { partitionOf, ROLE_SESSION_NAME, spokeCredentials, spokeRoleArn };
