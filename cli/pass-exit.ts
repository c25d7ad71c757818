/**
 * The exit code of a finished pass: 0 when clean, 1 with per-instance or per-region errors, and an AWS error (exit 3)
 * when no region could be reached at all.
 */
import { AwsError, ErrorCode } from '../shared/errors';
import type { PassResult } from '../shared/pass/types';
import { ExitCode } from './exit-codes';

const UNREACHABLE: ReadonlySet<string> = new Set([ErrorCode.AwsUnreachable, ErrorCode.AwsCredentials]);

/**
 * @throws AwsError when every region failed because AWS was unreachable or refused the credentials
 */
function outcomeExitCode(result: PassResult): number {
  const failures = result.regionFailures;
  if (
    failures.length > 0 &&
    failures.length === result.regions.length &&
    failures.every((f) => UNREACHABLE.has(f.code))
  ) {
    const first = failures[0]!;
    throw new AwsError(first.code as typeof ErrorCode.AwsUnreachable, 'scan', first.message, { region: first.region });
  }
  const instanceErrors = result.decisions.some((decision) => decision.outcome === 'error');
  return instanceErrors || failures.length > 0 ? ExitCode.InstanceErrors : ExitCode.Done;
}

export { outcomeExitCode };
