/**
 * The project's own exceptions. Expected outcomes (a bad tag, missing data, a protected instance) are values in a
 * decision, never these: these are for the unexpected, carry a stable `code`, and are caught only at the edges.
 */

/** Stable error codes; the CLI maps them to exit codes, the handler to retry or fail. */
const ErrorCode = {
  ConfigInvalid: 'CONFIG_INVALID',
  Usage: 'USAGE',
  AwsUnreachable: 'AWS_UNREACHABLE',
  AwsCredentials: 'AWS_CREDENTIALS',
  AwsCall: 'AWS_CALL',
  PassBusy: 'PASS_BUSY',
} as const;
type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class: a message that says what is wrong, a stable code, and the original error as `cause`. */
class ReaperError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem in a config document, located by its key path (`idle.threshold`). */
interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** The config does not validate; `issues` lists every problem at once, each with its key path. */
class ConfigError extends ReaperError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], source?: string) {
    const where = source ? ` in ${source}` : '';
    const list = issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
    super(ErrorCode.ConfigInvalid, `invalid config${where}: ${list}`);
    this.issues = issues;
  }
}

/** Bad command-line usage or setup (unknown flag, bad `--now`, a table that does not exist). */
class UsageError extends ReaperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Usage, message, options);
  }
}

/**
 * An AWS call failed in a way that affects the whole pass (endpoint unreachable, credentials refused) or that an
 * adapter could not turn into a per-instance value. `operation` names the API call (`DescribeInstances`).
 */
class AwsError extends ReaperError {
  readonly operation: string;
  readonly region: string | undefined;

  constructor(code: ErrorCode, operation: string, message: string, options?: { cause?: unknown; region?: string }) {
    super(code, `${operation}${options?.region ? ` (${options.region})` : ''}: ${message}`, options);
    this.operation = operation;
    this.region = options?.region;
  }
}

/**
 * Another pass of the same account and region holds the pass lease, and this invocation must not be dropped (a
 * launch event): thrown so that Lambda's asynchronous retry delivers the event again once that pass is likely done.
 */
class PassBusyError extends ReaperError {
  /** The lease item's key (`TARGET#<account>#<region>`). */
  readonly lease: string;

  constructor(lease: string, message: string) {
    super(ErrorCode.PassBusy, message);
    this.lease = lease;
  }
}

export type { ConfigIssue };
export { AwsError, ConfigError, ErrorCode, PassBusyError, ReaperError, UsageError };
