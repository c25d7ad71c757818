/**
 * An HMAC-SHA-256 key in memory with the KMS key's contract (generate, verify): for unit tests, where KMS is not.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MacKey } from '../../shared/owner-actions/token';

/** A fresh in-memory key; `calls` counts generate and verify. */
function memoryMacKey(secret: Buffer = randomBytes(32)): MacKey & { calls: { generate: number; verify: number } } {
  const calls = { generate: 0, verify: 0 };
  const mac = (message: Uint8Array) => createHmac('sha256', secret).update(message).digest();
  return {
    calls,
    async generate(message) {
      calls.generate += 1;
      return mac(message);
    },
    async verify(message, given) {
      calls.verify += 1;
      const expected = mac(message);
      return given.length === expected.length && timingSafeEqual(Buffer.from(given), expected);
    },
  };
}

export { memoryMacKey };
