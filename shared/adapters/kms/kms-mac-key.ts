/**
 * The KMS HMAC key that signs owner-action links (`HMAC_256`, key usage `GENERATE_VERIFY_MAC`): `GenerateMac` and
 * `VerifyMac` run inside KMS, so the secret never leaves it and a leaked role can be revoked at once.
 */
import { GenerateMacCommand, type KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import type { MacKey } from '../../owner-actions/token';
import { toAwsError } from '../aws/aws-errors';

/** The MAC algorithm of an `HMAC_256` key. */
const MAC_ALGORITHM = 'HMAC_SHA_256' as const;

/** KMS answers `VerifyMac` for a wrong MAC with this error rather than `MacValid: false`. */
const INVALID_MAC = 'KMSInvalidMacException';

/**
 * A {@link MacKey} backed by one KMS HMAC key.
 * @example
 * const key = new KmsMacKey(new KMSClient({ region }), 'alias/gpu-reaper-links', region);
 * const token = await signToken(claims, key);
 */
class KmsMacKey implements MacKey {
  private readonly client: KMSClient;
  private readonly keyId: string;
  private readonly region: string | undefined;

  /**
   * @param client a KMS client in the key's region
   * @param keyId the key's id, ARN or alias
   * @param region named in errors @default undefined
   */
  constructor(client: KMSClient, keyId: string, region?: string) {
    this.client = client;
    this.keyId = keyId;
    this.region = region;
  }

  /** The key's MAC of `message`. @throws AwsError (operation `GenerateMac`) with the SDK error as `cause` */
  async generate(message: Uint8Array): Promise<Uint8Array> {
    try {
      const output = await this.client.send(
        new GenerateMacCommand({ KeyId: this.keyId, Message: message, MacAlgorithm: MAC_ALGORITHM }),
      );
      if (!output.Mac) throw new Error('GenerateMac returned no MAC');
      return output.Mac;
    } catch (error) {
      throw toAwsError(error, 'GenerateMac', this.region);
    }
  }

  /**
   * Whether `mac` is the key's MAC of `message`: a wrong MAC is `false`, not an error.
   * @throws AwsError (operation `VerifyMac`) when KMS cannot answer
   */
  async verify(message: Uint8Array, mac: Uint8Array): Promise<boolean> {
    try {
      const output = await this.client.send(
        new VerifyMacCommand({ KeyId: this.keyId, Message: message, Mac: mac, MacAlgorithm: MAC_ALGORITHM }),
      );
      return output.MacValid === true;
    } catch (error) {
      // By name, not instanceof: the injected client may come from another copy of the SDK.
      if (error instanceof Error && error.name === INVALID_MAC) return false;
      throw toAwsError(error, 'VerifyMac', this.region);
    }
  }
}

export { KmsMacKey, MAC_ALGORITHM };
