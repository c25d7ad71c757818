/**
 * Synth-time checks of the infra props, from one small table of rules. (The config props are checked by the config
 * schema itself.) Every broken rule is reported at once, each naming its prop, the value received and what is allowed.
 */
import type { Duration } from 'aws-cdk-lib';
import type { GpuReaperProps } from './props';

interface PropRule {
  readonly prop: keyof GpuReaperProps;
  /** True when the props break the rule. */
  readonly broken: (props: GpuReaperProps) => boolean;
  readonly message: (props: GpuReaperProps) => string;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const PARAMETER_NAME = /^[a-zA-Z0-9_.\-/]{1,1011}$/;
const INSTANCE_TYPE_PATTERN = /^[a-z0-9*?.-]+$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const SCHEDULE = /^(rate\(\s*\d+\s+(minute|minutes|hour|hours|day|days)\s*\)|cron\(.+\))$/;

const minutes = (duration: Duration | undefined) => duration?.toMinutes({ integral: false });

const RULES: readonly PropRule[] = [
  {
    prop: 'table',
    broken: (p) => p.table !== undefined && p.auditTable != null,
    message: (p) => `pass an existing table or auditTable (${p.auditTable}) to create one, not both`,
  },
  {
    prop: 'topic',
    broken: (p) => p.topic !== undefined && p.topicArn != null,
    message: (p) => `pass an existing topic or topicArn (${p.topicArn}), not both`,
  },
  {
    prop: 'adminEmails',
    broken: (p) => (p.adminEmails ?? []).some((email) => !EMAIL.test(email)),
    message: (p) => `must be email addresses, got ${JSON.stringify(p.adminEmails)}`,
  },
  {
    prop: 'gpuInstanceTypes',
    broken: (p) =>
      p.gpuInstanceTypes !== undefined &&
      (p.gpuInstanceTypes.length === 0 || p.gpuInstanceTypes.some((type) => !INSTANCE_TYPE_PATTERN.test(type))),
    message: (p) => `must list instance-type patterns such as "g*.*", got ${JSON.stringify(p.gpuInstanceTypes)}`,
  },
  {
    prop: 'agentTargetTagKey',
    broken: (p) => p.agentTargetTagKey !== undefined && (!p.installAgent || !TAG_KEY.test(p.agentTargetTagKey)),
    message: (p) => `must be a tag key (1-128 characters) and needs installAgent: true, got "${p.agentTargetTagKey}"`,
  },
  {
    prop: 'agentTargetTagValues',
    broken: (p) => p.agentTargetTagValues !== undefined && (!p.installAgent || p.agentTargetTagValues.length === 0),
    message: (p) =>
      `must list at least one value and needs installAgent: true, got ${JSON.stringify(p.agentTargetTagValues)}`,
  },
  {
    prop: 'agentConfigParameterName',
    broken: (p) => p.agentConfigParameterName !== undefined && !PARAMETER_NAME.test(p.agentConfigParameterName),
    message: (p) => `must be an SSM parameter name (letters, digits, _.-/), got "${p.agentConfigParameterName}"`,
  },
  {
    prop: 'digestSchedule',
    broken: (p) => p.digestSchedule !== undefined && !SCHEDULE.test(p.digestSchedule.trim()),
    message: (p) => `must be an EventBridge rate(...) or cron(...) expression, got "${p.digestSchedule}"`,
  },
  {
    prop: 'memorySize',
    broken: (p) =>
      p.memorySize !== undefined && (!Number.isInteger(p.memorySize) || p.memorySize < 128 || p.memorySize > 10_240),
    message: (p) => `must be a whole number of MB from 128 to 10240, got ${p.memorySize}`,
  },
  {
    prop: 'timeout',
    broken: (p) => p.timeout !== undefined && !inRange(minutes(p.timeout), 1, 15),
    message: (p) => `must be from 1 to 15 minutes (a Lambda limit), got ${p.timeout?.toHumanString()}`,
  },
  {
    prop: 'organizationId',
    broken: (p) => (p.organizationId === undefined ? p.accounts != null : !ORGANIZATION_ID.test(p.organizationId)),
    message: (p) =>
      p.organizationId === undefined
        ? 'is required when accounts is set (the organization the worker may assume roles in), e.g. "o-a1b2c3d4e5"'
        : `must be an organization id such as "o-a1b2c3d4e5", got "${p.organizationId}"`,
  },
  {
    prop: 'workerMaxConcurrency',
    broken: (p) =>
      p.workerMaxConcurrency !== undefined &&
      (!Number.isInteger(p.workerMaxConcurrency) || !inRange(p.workerMaxConcurrency, 2, 1000)),
    message: (p) => `must be a whole number from 2 to 1000 (an SQS event source limit), got ${p.workerMaxConcurrency}`,
  },
  {
    prop: 'ownerActionConcurrency',
    broken: (p) =>
      p.ownerActionConcurrency !== undefined &&
      (!Number.isInteger(p.ownerActionConcurrency) || !inRange(p.ownerActionConcurrency, 1, 100)),
    message: (p) => `must be a whole number from 1 to 100 (reserved concurrency), got ${p.ownerActionConcurrency}`,
  },
  {
    prop: 'reaperConcurrency',
    broken: (p) =>
      p.reaperConcurrency !== undefined &&
      (!Number.isInteger(p.reaperConcurrency) || !inRange(p.reaperConcurrency, 1, 100)),
    message: (p) => `must be a whole number from 1 to 100 (reserved concurrency), got ${p.reaperConcurrency}`,
  },
  {
    prop: 'maxTargetAttempts',
    broken: (p) =>
      p.maxTargetAttempts !== undefined &&
      (!Number.isInteger(p.maxTargetAttempts) || !inRange(p.maxTargetAttempts, 1, 10)),
    message: (p) => `must be a whole number from 1 to 10, got ${p.maxTargetAttempts}`,
  },
  {
    prop: 'runInterval',
    broken: (p) => p.runInterval !== undefined && !inRange(minutes(p.runInterval), 1, 7 * 24 * 60),
    message: (p) => `must be from 1 minute to 7 days, got ${p.runInterval?.toHumanString()}`,
  },
];

function inRange(value: number | undefined, min: number, max: number): boolean {
  return value !== undefined && value >= min && value <= max;
}

/** Thrown at synth when props break a rule; lists every broken rule. */
class GpuReaperPropsError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid GpuReaper props: ${problems.join('; ')}`);
    this.name = 'GpuReaperPropsError';
    this.problems = problems;
  }
}

/**
 * Checks the infra props against the rules table.
 *
 * @throws GpuReaperPropsError naming every broken rule
 */
function validateProps(props: GpuReaperProps): void {
  const problems = RULES.filter((rule) => rule.broken(props)).map((rule) => `${rule.prop}: ${rule.message(props)}`);
  if (problems.length > 0) throw new GpuReaperPropsError(problems);
}

export { GpuReaperPropsError, validateProps };
