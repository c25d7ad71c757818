/**
 * The KMS HMAC key adapter: the commands it sends (key, message, HMAC_SHA_256), a wrong MAC as `false` whichever
 * way KMS says it, and every other failure as our AwsError with the SDK error as `cause`.
 */
import { GenerateMacCommand, KMSClient, KMSInvalidMacException, VerifyMacCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsMacKey } from '../../../../shared/adapters/kms/kms-mac-key';
import { AwsError } from '../../../../shared/errors';

const kms = mockClient(KMSClient);
const KEY = 'alias/gpu-reaper-links';
const message = Buffer.from('payload');
const mac = Buffer.alloc(32, 7);

describe('KmsMacKey', () => {
  beforeEach(() => kms.reset());

  it('asks KMS for an HMAC_SHA_256 of the message with the configured key', async () => {
    kms.on(GenerateMacCommand).resolves({ Mac: mac, KeyId: KEY, MacAlgorithm: 'HMAC_SHA_256' });
    const key = new KmsMacKey(new KMSClient({ region: 'us-east-1' }), KEY, 'us-east-1');
    expect(Buffer.from(await key.generate(message))).toEqual(mac);
    expect(kms.commandCalls(GenerateMacCommand)[0]?.args[0].input).toEqual({
      KeyId: KEY,
      Message: message,
      MacAlgorithm: 'HMAC_SHA_256',
    });
  });

  it('verifies in KMS, and answers false for a MAC KMS refuses', async () => {
    const key = new KmsMacKey(new KMSClient({ region: 'us-east-1' }), KEY);
    kms.on(VerifyMacCommand).resolves({ MacValid: true });
    await expect(key.verify(message, mac)).resolves.toBe(true);
    expect(kms.commandCalls(VerifyMacCommand)[0]?.args[0].input).toEqual({
      KeyId: KEY,
      Message: message,
      Mac: mac,
      MacAlgorithm: 'HMAC_SHA_256',
    });
    kms.on(VerifyMacCommand).rejects(new KMSInvalidMacException({ message: 'invalid', $metadata: {} }));
    await expect(key.verify(message, mac)).resolves.toBe(false);
    kms.on(VerifyMacCommand).resolves({ MacValid: false });
    await expect(key.verify(message, mac)).resolves.toBe(false);
  });

  it('wraps other failures, naming the operation, with the SDK error as cause', async () => {
    const key = new KmsMacKey(new KMSClient({ region: 'us-east-1' }), KEY, 'us-east-1');
    const denied = Object.assign(new Error('not authorized to GenerateMac'), { name: 'AccessDeniedException' });
    kms.on(GenerateMacCommand).rejects(denied);
    const error = await key.generate(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).cause).toBe(denied);
    expect((error as AwsError).message).toContain('GenerateMac');
    kms.on(VerifyMacCommand).rejects(Object.assign(new Error('disabled'), { name: 'DisabledException' }));
    await expect(key.verify(message, mac)).rejects.toBeInstanceOf(AwsError);
  });
});
