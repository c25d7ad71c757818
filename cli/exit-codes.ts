/**
 * The command's exit codes, and the one place that maps an error to one of them.
 */
import { CommanderError } from 'commander';
import { ErrorCode, ReaperError } from '../shared/errors';

const ExitCode = {
  /** The pass is done. */
  Done: 0,
  /** The pass is done, with per-instance (or per-region) errors. */
  InstanceErrors: 1,
  /** Bad usage or config. */
  Usage: 2,
  /** AWS unreachable or credentials refused. */
  AwsUnreachable: 3,
} as const;
type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for an error that ended a command. */
function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) return ExitCode.Usage;
  if (error instanceof ReaperError) {
    switch (error.code) {
      case ErrorCode.ConfigInvalid:
      case ErrorCode.Usage:
        return ExitCode.Usage;
      case ErrorCode.AwsUnreachable:
      case ErrorCode.AwsCredentials:
        return ExitCode.AwsUnreachable;
      default:
        return ExitCode.InstanceErrors;
    }
  }
  return ExitCode.InstanceErrors;
}

/** One clear line for stderr: never a stack trace unless `debug`. */
function errorLine(error: unknown, debug: boolean): string {
  if (debug && error instanceof Error && error.stack) return `gpu-reaper: ${error.stack}`;
  const message = error instanceof Error ? error.message : String(error);
  return `gpu-reaper: ${message.replace(/\s*\n\s*/g, ' ')}`;
}

export { ExitCode, errorLine, exitCodeFor };
