/**
 * The one config schema (docs/configuration.md): every key optional, defaults filled in, unknown keys rejected,
 * every problem reported at once with its key path. The CLI, the Lambda and `cdk synth` all parse through here.
 */
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors';
import { isAwsRegion, nearestRegion } from './aws-regions';
import { configIssues } from './config-messages';
import { parseDuration } from './durations';
import { overrideIssues } from './overrides';

/** A duration string such as `90m`, `36h`, `3d`; `allowZero` admits `0m` (used to turn warnings off). */
const duration = (fallback: string, options: { allowZero?: boolean } = {}) =>
  z
    .string()
    .default(fallback)
    .refine(
      (text) => {
        const ms = parseDuration(text);
        return ms !== undefined && (options.allowZero ? ms >= 0 : ms > 0);
      },
      { message: `must be a duration such as 30m, 12h or 3d${options.allowZero ? ' (0m allowed)' : ''}` },
    );

const percent = (fallback: number) => z.number().min(0).max(100).default(fallback);
const ruleAction = z.enum(['stop', 'terminate', 'notify']);
const SCHEDULE = /^(rate\(\s*\d+\s+(minute|minutes|hour|hours|day|days)\s*\)|cron\(.+\))$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
const OVERRIDE_KEY = /^(\d{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
// IAM role names: letters, digits and +=,.@_- (paths are not part of the name).
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** A region the SDK knows (aws-regions.ts); a near miss names the region it was probably meant to be. */
const region = z.string().superRefine((name, ctx) => {
  if (isAwsRegion(name)) return;
  const near = nearestRegion(name);
  ctx.addIssue({
    code: 'custom',
    message: near ? 'must be an AWS region name' : 'must be an AWS region name such as us-east-1',
    ...(near ? { params: { didYouMean: near } } : {}),
  });
});

/** EC2 reserves tag keys that start with `aws:`, in any case: the reaper could neither write nor read its tags. */
const isReservedTagPrefix = (prefix: string) => prefix.trimStart().toLowerCase().startsWith('aws:');

/** True when `text` is an SNS topic ARN, as `topicArn` (and `run --topic`) must be. */
function isTopicArn(text: string): boolean {
  return TOPIC_ARN.test(text);
}

/** One published GPU utilization metric: a CloudWatch namespace and metric name. */
const metricSource = z.strictObject({ namespace: z.string().min(1), metric: z.string().min(1) });

/**
 * The GPU utilization metrics real instances publish: the CloudWatch agent's nvidia_smi plugin and the Deep
 * Learning AMIs' `gpumon` script. Every series of every source that belongs to an instance is read.
 */
const DEFAULT_METRIC_SOURCES = [
  { namespace: 'CWAgent', metric: 'nvidia_smi_utilization_gpu' },
  { namespace: 'DeepLearningTrain', metric: 'GPU Usage' },
] as const;

/** The older form, one `{ namespace, metric }` pair with the agent's names as defaults, read as one source. */
function asSources(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || 'sources' in raw) return raw;
  const { namespace = 'CWAgent', metric = 'nvidia_smi_utilization_gpu', ...rest } = raw as Record<string, unknown>;
  if (!('namespace' in raw) && !('metric' in raw)) return raw;
  return { sources: [{ namespace, metric }], ...rest };
}

/** `metrics`: a list of sources, or the older single pair (see {@link asSources}). */
const metricsSchema = z
  .preprocess(
    asSources,
    z.strictObject({
      sources: z
        .array(metricSource)
        .min(1, 'must list at least one { namespace, metric } source')
        .default(DEFAULT_METRIC_SOURCES.map((source) => ({ ...source }))),
    }),
  )
  .prefault({});

/**
 * `accounts`: the member accounts of an organization to cover (docs/configuration.md, "Many accounts"); `null` is
 * the account the credentials are in. Overrides are checked here only as objects: each is validated merged over
 * the base by {@link parseConfig} (see overrides.ts), so its problems carry their full key path.
 */
const accountsSchema = z
  .strictObject({
    roleName: z.string().regex(ROLE_NAME, 'must be an IAM role name such as GpuReaperSpoke').default('GpuReaperSpoke'),
    externalId: z.string().min(2).max(1224).nullable().default(null),
    organization: z
      .strictObject({ ous: z.array(z.string().regex(OU_ID, 'must be an OU id (ou-…) or a root id (r-…)')).default([]) })
      .nullable()
      .default(null),
    ids: z.array(z.string().regex(ACCOUNT_ID, 'must be a 12-digit account id')).default([]),
    exclude: z.array(z.string().regex(ACCOUNT_ID, 'must be a 12-digit account id')).default([]),
    overrides: z
      .record(
        z.string().regex(OVERRIDE_KEY, 'must be an OU id (ou-…), a root id (r-…) or a 12-digit account id'),
        z.looseObject({}),
      )
      .default({}),
    // A target whose last pass found no GPU instance is passed this often, not every tick (a launch wakes it).
    quietTargetEvery: duration('1h'),
  })
  .nullable()
  .default(null);

/** A base URL the owner-action endpoint answers on: https, or http on a loopback host (the local demo). */
const ACTION_URL = /^(https:\/\/[^\s?#]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/[^\s?#]*)?)$/;

/** `notifications.links`: the keep and stop-now links of a WARNED message. */
const ownerLinksSchema = z
  .strictObject({
    keepFor: z
      .array(
        z.string().refine((text) => (parseDuration(text) ?? 0) > 0, {
          message: 'must be a duration such as 4h or 24h',
        }),
      )
      .max(4, 'must list at most 4 durations')
      .refine((items) => new Set(items).size === items.length, { message: 'must not repeat a duration' })
      .default(['4h', '24h']),
    stopNow: z.boolean().default(true),
    baseUrl: z
      .string()
      .regex(ACTION_URL, 'must be the https URL of the owner-action endpoint (http only on 127.0.0.1 or localhost)')
      .nullable()
      .default(null),
  })
  .prefault({});

/** A duration list such as `["24h", "72h"]`: each above zero, no repeats. */
const durationList = (fallback: readonly string[], max: number) =>
  z
    .array(
      z.string().refine((text) => (parseDuration(text) ?? 0) > 0, { message: 'must be a duration such as 24h or 72h' }),
    )
    .max(max, `must list at most ${max} durations`)
    .refine((items) => new Set(items).size === items.length, { message: 'must not repeat a duration' })
    .default([...fallback]);

/**
 * `gating`: approval before an expensive run (docs/configuration.md, "Cost-gating"); `null` (the default) is off. A
 * run whose projected cost reaches `threshold` needs an approver's `approved-until` tag.
 */
const gatingSchema = z
  .strictObject({
    threshold: z.number().min(0, 'must be a cost in USD, 0 or more').finite(),
    approvers: z.array(z.email()).default([]),
    grace: duration('15m', { allowZero: true }),
    approveFor: durationList(['24h', '72h'], 4),
  })
  .nullable()
  .default(null);

/** A team name in `budgets.monthlyUsd`: a tag value, or `*` for every team not listed (and the untagged). */
const budgetAmount = z.number().positive('must be a monthly budget in USD above 0').finite();

/** `budgets`: a monthly spend budget per team (the `tag` value); `null` (the default) is off. */
const budgetsSchema = z
  .strictObject({
    tag: z.string().min(1).max(128).default('Team'),
    monthlyUsd: z
      .record(z.string().min(1).max(256), budgetAmount)
      .refine((budgets) => Object.keys(budgets).length > 0, { message: 'must give at least one team (or "*")' }),
    warnAt: z.number().gt(0, 'must be a share of the budget above 0').max(1, 'must be at most 1').default(0.8),
  })
  .nullable()
  .default(null);

/** `notifications.chat`: AWS Chatbot custom notifications; `{}` adds the topic only, ids add a Slack channel. */
const chatSchema = z
  .strictObject({
    slackWorkspaceId: z.string().regex(/^[0-9A-Z]{1,255}$/, 'must be a Slack workspace (team) id such as T0123ABCD'),
    slackChannelId: z.string().regex(/^[A-Za-z0-9]{1,255}$/, 'must be a Slack channel id such as C0123ABCD'),
  })
  .partial()
  .refine((chat) => (chat.slackWorkspaceId === undefined) === (chat.slackChannelId === undefined), {
    message: 'must give slackWorkspaceId and slackChannelId together, or neither',
  })
  .nullable()
  .default(null);

const configSchema = z
  .strictObject({
    mode: z.enum(['dry-run', 'enforce']).default('dry-run'),
    regions: z.array(region).default([]),
    schedule: z
      .string()
      .regex(SCHEDULE, 'must be an EventBridge rate(...) or cron(...) expression')
      .default('rate(5 minutes)'),
    scope: z
      .strictObject({
        tags: z.record(z.string().min(1), z.array(z.string()).min(1, 'must list at least one value')).default({}),
        // GPUs only by default; `neuron` adds Trainium and Inferentia to the scan and to the role's stop scope.
        accelerators: z
          .array(z.enum(['gpu', 'neuron']))
          .min(1, 'must list gpu, neuron or both')
          .default(['gpu']),
      })
      .prefault({}),
    tagPrefix: z
      .string()
      .min(1)
      .max(64)
      .refine((prefix) => !isReservedTagPrefix(prefix), {
        message: 'must not start with "aws:", in any case: EC2 reserves those tag keys',
      })
      .default('gpu-reaper:'),
    ownerTag: z.string().min(1).max(128).default('Owner'),
    metrics: metricsSchema,
    maxRuntime: z
      .strictObject({
        enabled: z.boolean().default(true),
        default: duration('12h'),
        ceiling: duration('7d'),
        warnAhead: duration('1h', { allowZero: true }),
      })
      .prefault({}),
    idle: z
      .strictObject({
        enabled: z.boolean().default(true),
        threshold: percent(5),
        window: duration('1h'),
        minCoverage: z.number().gt(0).max(1).default(0.8),
      })
      .prefault({}),
    neverUsed: z
      .strictObject({ enabled: z.boolean().default(true), after: duration('30m'), threshold: percent(5) })
      .prefault({}),
    noTelemetry: z.strictObject({ enabled: z.boolean().default(true), after: duration('30m') }).prefault({}),
    // EC2's own host metrics (AWS/EC2): a GPU waiting on a busy host (a download, preprocessing) is not idle.
    activity: z
      .strictObject({
        host: z
          .strictObject({
            enabled: z.boolean().default(true),
            cpu: percent(10),
            networkMiBPerMinute: z.number().positive('must be a rate in MiB per minute above 0').finite().default(5),
            notifyAfter: duration('2h'),
          })
          .prefault({}),
      })
      .prefault({}),
    warning: z.strictObject({ grace: duration('30m', { allowZero: true }) }).prefault({}),
    snooze: z.strictObject({ ceiling: duration('24h') }).prefault({}),
    actions: z
      .strictObject({
        expired: ruleAction.default('stop'),
        maxRuntime: ruleAction.default('stop'),
        neverUsed: ruleAction.default('stop'),
        idle: ruleAction.default('stop'),
        // What an unapproved expensive run gets once `gating.grace` after its warning has passed.
        unapproved: ruleAction.default('stop'),
        whenStopImpossible: z.enum(['notify', 'terminate', 'skip']).default('notify'),
        asgMembers: z.enum(['skip', 'notify', 'stop', 'terminate']).default('skip'),
        // An instance set up for hibernation is stopped with Hibernate: its memory (a notebook's kernels) survives.
        hibernate: z.boolean().default(true),
        // Which actions owners may pick with the `action` tag; any other value is a tag problem (ignored, told).
        ownerChoices: z
          .array(ruleAction)
          .refine((choices) => new Set(choices).size === choices.length, { message: 'must not repeat an action' })
          .default(['stop', 'terminate', 'notify']),
      })
      .prefault({}),
    maxActionsPerPass: z.number().int().min(0).default(20),
    auditTable: z.string().min(3).max(255).nullable().default(null),
    auditRetention: duration('400d'),
    topicArn: z.string().regex(TOPIC_ARN, 'must be an SNS topic ARN').nullable().default(null),
    notifications: z
      .strictObject({
        emails: z.array(z.email()).default([]),
        // One-click answers in WARNED messages (docs/configuration.md, "Owner actions"); no baseUrl, no links.
        links: ownerLinksSchema,
        chat: chatSchema,
      })
      .prefault({}),
    // The fleet audit of `report` and the digest: spend by band for each value of these tags.
    report: z
      .strictObject({
        groupBy: z
          .array(z.string().min(1).max(128))
          .max(5, 'must list at most 5 tag keys')
          .refine((keys) => new Set(keys).size === keys.length, { message: 'must not repeat a tag key' })
          .default(['Team', 'Project']),
      })
      .prefault({}),
    gating: gatingSchema,
    budgets: budgetsSchema,
    accounts: accountsSchema,
    // On-demand $/hour per instance type, to put a price on every decision (see README "Prices").
    prices: z
      .strictObject({
        overrides: z
          .record(
            z.string().regex(INSTANCE_TYPE, 'must be an instance type such as g5.xlarge'),
            z.number().positive('must be a price in USD per hour above 0').finite(),
          )
          .default({}),
        live: z.boolean().default(false),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    const ms = (text: string) => parseDuration(text) ?? Number.NaN;
    if (ms(config.maxRuntime.default) > ms(config.maxRuntime.ceiling)) {
      ctx.addIssue({ code: 'custom', path: ['maxRuntime', 'default'], message: 'must not exceed maxRuntime.ceiling' });
    }
  });

/** The validated config, every default filled in. */
type Config = z.output<typeof configSchema>;
/** What a config file may contain: every key optional. */
type ConfigInput = z.input<typeof configSchema>;

/** zod's issues in the project's words, in document order (see config-messages.ts). */
function toIssues(error: z.ZodError, raw: unknown): ConfigIssue[] {
  return configIssues(error.issues, raw, configSchema);
}

/**
 * Validates a parsed config document and fills in the defaults.
 *
 * @param raw the parsed JSON (`undefined` or `{}` gives the defaults; `null`, like any non-object, is refused)
 * @param source where it came from, for the error message (a file path)
 * @throws ConfigError listing every problem with its key path
 * @example parseConfig({ mode: 'enforce', idle: { threshold: 10 } }).idle.window // '1h'
 */
function parseConfig(raw: unknown, source?: string): Config {
  // Only "no document" means the defaults: a file that says `null` is a mistake to report, not an empty config.
  const document = raw === undefined ? {} : raw;
  const result = configSchema.safeParse(document);
  const issues = result.success ? [] : toIssues(result.error, raw);
  // Each per-account or per-OU override is validated merged over the base: its problems carry their full key path.
  const inOverrides = overrideIssues(document, configSchema, issues);
  if (!result.success || inOverrides.length > 0) throw new ConfigError([...issues, ...inOverrides], source);
  return result.data;
}

/** The defaults (docs/configuration.md), as one validated config. */
function defaultConfig(): Config {
  return parseConfig({});
}

export type { Config, ConfigInput };
export { configSchema, DEFAULT_METRIC_SOURCES, defaultConfig, isTopicArn, parseConfig };
