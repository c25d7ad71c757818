/**
 * The exit code of a finished pass: 0 when clean, 1 with per-instance or per-region errors (a region not scanned is
 * one: its instances are missing, so the fleet is not known to be clean), and an AWS error (exit 3) when no region
 * could be reached at all.
 */
import { ErrorCode, ReaperError } from '../shared/errors';
import type { PassResult } from '../shared/pass/types';
import { ExitCode } from './exit-codes';

const UNREACHABLE: ReadonlySet<string> = new Set([ErrorCode.AwsUnreachable, ErrorCode.AwsCredentials]);

/**
 * Nothing could be reached: each of the `attempted` regions (or targets) failed, every one because AWS was
 * unreachable or refused the credentials. Then the pass is not "done with errors" but an AWS failure (exit 3).
 *
 * @param what what was attempted, for the message: `region`, or `target` (account × region)
 * @throws ReaperError (exit 3) naming every failure, on one line
 */
function throwWhenNoneReached(failures: PassResult['regionFailures'], attempted: number, what = 'region'): void {
  if (failures.length === 0 || failures.length !== attempted || !failures.every((f) => UNREACHABLE.has(f.code))) {
    return;
  }
  const code = failures[0]!.code as typeof ErrorCode.AwsUnreachable;
  const each = failures.map((failure) => failure.message.replace(/\s*\n\s*/g, ' '));
  throw new ReaperError(code, `no ${what} could be scanned: ${each.join('; ')}`);
}

/**
 * @param result the pass; `errors` (of `run`) counts the failures it absorbed besides decisions and regions
 * @throws ReaperError (exit 3) naming every region when each failed because AWS was unreachable or refused the
 * credentials
 */
function outcomeExitCode(result: PassResult & { readonly errors?: number }): number {
  const failures = result.regionFailures;
  throwWhenNoneReached(failures, result.regions.length);
  const instanceErrors = result.decisions.some((decision) => decision.outcome === 'error');
  const absorbed = (result.errors ?? 0) > 0;
  return instanceErrors || absorbed || failures.length > 0 ? ExitCode.InstanceErrors : ExitCode.Done;
}

export { outcomeExitCode, throwWhenNoneReached };
