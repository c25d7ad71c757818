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
 * @param result the pass; `errors` (of `run`) counts the failures it absorbed besides decisions and regions
 * @throws ReaperError (exit 3) naming every region when each failed because AWS was unreachable or refused the
 * credentials
 */
function outcomeExitCode(result: PassResult & { readonly errors?: number }): number {
  const failures = result.regionFailures;
  if (
    failures.length > 0 &&
    failures.length === result.regions.length &&
    failures.every((f) => UNREACHABLE.has(f.code))
  ) {
    const code = failures[0]!.code as typeof ErrorCode.AwsUnreachable;
    const each = failures.map((failure) => failure.message.replace(/\s*\n\s*/g, ' '));
    throw new ReaperError(code, `no region could be scanned: ${each.join('; ')}`);
  }
  const instanceErrors = result.decisions.some((decision) => decision.outcome === 'error');
  const absorbed = (result.errors ?? 0) > 0;
  return instanceErrors || absorbed || failures.length > 0 ? ExitCode.InstanceErrors : ExitCode.Done;
}

export { outcomeExitCode };
