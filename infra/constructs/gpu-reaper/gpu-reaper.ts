/**
 * The `GpuReaper` construct: a scheduled Lambda that warns about, then stops or terminates, idle and over-time GPU
 * instances, with its audit table, topics, least-privilege role, agent config, alarms and dashboard.
 */
import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { type Config, EnvName, parseConfig, ReaperMetrics } from '../../../shared/config';
import { AGENT_CONFIG_PARAMETER } from '../../../shared/config/agent-config';
import { AgentConfig } from './agent-config';
import { approvalTagKey, createApproverPolicy } from './approval-policy';
import { createAuditTable } from './audit-table';
import { ChatNotifications } from './chat-notifications';
import { FanOut } from './fan-out';
import { LaunchTrigger } from './launch-trigger';
import { Monitoring, type ReaperAlarms } from './monitoring';
import { Notifications } from './notifications';
import { OwnerActions } from './owner-actions';
import { configTerminates, grantReaperRole, instanceTypePatterns } from './permissions';
import { configSlice, type GpuReaperProps } from './props';
import { functionEntry, GpuReaperFunction } from './reaper-function';
import { ScheduledInvoke, schedulePeriod } from './schedule';
import { validateProps } from './validate-props';
import { WeeklyDigest } from './weekly-digest';

/** The metric the shipped agent config publishes; another `metrics.metric` needs an agent config of your own. */
const AGENT_METRIC = 'nvidia_smi_utilization_gpu';

/**
 * A complete, least-privilege, observable GPU reaper, with a weekly digest of what it avoided to the admins.
 *
 * Props are the config file's keys (validated at synth by the shared schema, defaults filled in) plus infra options.
 * The validated config reaches the Lambda as JSON in `GPU_REAPER_CONFIG`.
 *
 * @example
 * const reaper = new GpuReaper(stack, 'GpuReaper', {
 *   mode: 'dry-run',
 *   scope: { tags: { Purpose: ['transient-ml-training'] } },
 *   notifications: { emails: ['ml-platform@example.com'] },
 *   installAgent: true,
 * });
 * reaper.alarms.errors.addAlarmAction(myPagerAction);
 */
class GpuReaper extends Construct {
  /** The validated config, every default filled in, exactly as the Lambda receives it. */
  readonly config: Config;
  /** The Lambda that runs passes: the reaper, or with `accounts` set the hub's worker (one target per message). */
  readonly reaperFunction: NodejsFunction;
  /** That Lambda's execution role. */
  readonly role: iam.Role;
  /** With `accounts` set: the dispatcher, target queue, worker and per-target alarms; else `undefined`. */
  readonly fanOut: FanOut | undefined;
  /** Owner notifications. */
  readonly topic: sns.ITopic;
  /** Alarms and admin notices. */
  readonly adminTopic: sns.ITopic;
  /** The key of the topics created here; `undefined` when both topics were passed in. */
  readonly topicKey: kms.IKey | undefined;
  /** The audit trail and warning state. */
  readonly table: dynamodb.ITable;
  /** The EventBridge rule that starts each pass. */
  readonly scheduleRule: events.Rule;
  /**
   * With `gating` or `budgets`: the EventBridge rule that starts a pass of the stack's region when an instance there
   * starts running; `undefined` otherwise, and with `accounts` set (the spokes' launches are not wired yet).
   */
  readonly launchRule: events.Rule | undefined;
  /**
   * With `gating` or `budgets`: the approvers' managed policy, the one grant to write the approval tag (attach it to
   * the approvers' role or group); `undefined` otherwise.
   */
  readonly approverPolicy?: iam.ManagedPolicy;
  /** Failed and undelivered scheduled invokes. */
  readonly deadLetterQueue: sqs.Queue;
  /** The CloudWatch agent config (SSM parameter). */
  readonly agentConfigParameter: ssm.StringParameter;
  /** Install and configure associations for the agent; empty unless `installAgent`. */
  readonly agentAssociations: readonly ssm.CfnAssociation[];
  /** Errors, did-not-run and dead-letter alarms, notifying the admin topic. */
  readonly alarms: ReaperAlarms;
  /** What the reaper does, pass by pass. */
  readonly dashboard: cloudwatch.Dashboard;
  /** The weekly digest to admins: its function, role, schedule and error alarm. */
  readonly digest: WeeklyDigest;
  /** The owner-action endpoint (links in WARNED messages) and its HMAC key; `undefined` when turned off. */
  readonly ownerActions: OwnerActions | undefined;
  /** The chat topic (AWS Chatbot), with `notifications.chat`; else `undefined`. */
  readonly chat: ChatNotifications | undefined;

  constructor(scope: Construct, id: string, props: GpuReaperProps = {}) {
    super(scope, id);
    validateProps(props);
    this.config = parseConfig(configSlice(props), `GpuReaper props (${this.node.path})`);
    const config = this.config;
    const runInterval = props.runInterval ?? schedulePeriod(config.schedule) ?? Duration.days(1);
    // A tick older than one period is superseded by the next one.
    const maxEventAge = Duration.seconds(Math.min(Math.max(runInterval.toSeconds(), 60), 6 * 3600));

    this.table = props.table ?? this.createTable(config, props.tableRemovalPolicy);
    const notifications = new Notifications(this, 'Notifications', {
      topic: props.topic,
      topicArn: config.topicArn,
      adminTopic: props.adminTopic,
      emails: config.notifications.emails,
      // Approvers get their own copy of an unapproved warning (audience=approvers), with the approve links.
      approvers: config.gating?.approvers ?? [],
      adminEmails: props.adminEmails ?? config.notifications.emails,
    });
    this.topic = notifications.topic;
    this.adminTopic = notifications.adminTopic;
    this.topicKey = notifications.key;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Holds failed invokes for inspection only; nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is the dead-letter queue of the reaper and digest Lambdas and their schedules.',
      },
    ]);

    // CloudFormation has no AWS::Lambda::Url in GovCloud and the ISO partitions: no endpoint there unless asked.
    const region = Stack.of(this).region;
    const noFunctionUrls = !Token.isUnresolved(region) && /^(us-gov-|us-iso|eu-isoe-)/.test(region);
    // With `accounts` set the same endpoint answers every member account, through its spoke role.
    this.ownerActions =
      (props.ownerActions ?? !noFunctionUrls)
        ? new OwnerActions(this, 'OwnerActions', {
            config,
            table: this.table,
            topic: this.topic,
            gpuInstanceTypes: props.gpuInstanceTypes ?? instanceTypePatterns(config.scope.accelerators),
            reservedConcurrency: props.ownerActionConcurrency,
            entry: props.ownerActionEntry,
            logRetention: props.logRetention,
          })
        : undefined;
    this.chat =
      config.notifications.chat !== null
        ? new ChatNotifications(this, 'Chat', {
            chat: config.notifications.chat,
            config,
            key: this.topicKey,
            keepFunction: this.ownerActions?.function,
          })
        : undefined;
    if (this.chat && this.ownerActions) {
      // The owner's keep and stop are announced in the instance's chat thread too.
      this.ownerActions.function.addEnvironment(EnvName.ChatTopicArn, this.chat.topic.topicArn);
      this.chat.topic.grantPublish(this.ownerActions.role);
    }

    const powertools = {
      POWERTOOLS_SERVICE_NAME: ReaperMetrics.service,
      POWERTOOLS_METRICS_NAMESPACE: ReaperMetrics.namespace,
    };
    // With `accounts`, the hub: the schedule starts the dispatcher and passes run in the worker, per target.
    this.fanOut =
      config.accounts === null
        ? undefined
        : new FanOut(this, 'FanOut', {
            config,
            organizationId: props.organizationId ?? '',
            table: this.table,
            topic: this.topic,
            adminTopic: this.adminTopic,
            scheduleDeadLetterQueue: this.deadLetterQueue,
            runInterval,
            environment: powertools,
            maxConcurrency: props.workerMaxConcurrency,
            dispatcherConcurrency: props.reaperConcurrency,
            maxAttempts: props.maxTargetAttempts,
            timeout: props.timeout,
            memorySize: props.memorySize,
            logRetention: props.logRetention,
            dispatcherEntry: props.dispatcherEntry,
            workerEntry: props.workerEntry,
            maxEventAge,
          });
    const scheduled = this.fanOut ? this.fanOut.dispatcher.function : this.createReaper(props, config, maxEventAge);
    this.reaperFunction = this.fanOut ? this.fanOut.worker.function : scheduled;
    this.role = this.fanOut ? this.fanOut.worker.role : (this.reaperFunction.role as iam.Role);
    if (this.fanOut) this.signLinksInTargets(this.fanOut, props.organizationId ?? '');

    this.scheduleRule = new ScheduledInvoke(this, 'Schedule', {
      schedule: config.schedule,
      target: scheduled,
      deadLetterQueue: this.deadLetterQueue,
      maxEventAge,
      description: `gpu-reaper: starts ${this.fanOut ? 'a tick of target passes' : 'a pass'} (${config.schedule})`,
    }).rule;
    // Cost-gating and budgets only: an approval is needed within a minute of a launch, not a tick later.
    const gated = config.gating !== null || config.budgets !== null;
    this.launchRule =
      gated && !this.fanOut
        ? new LaunchTrigger(this, 'LaunchTrigger', {
            target: this.reaperFunction,
            deadLetterQueue: this.deadLetterQueue,
            maxEventAge,
          }).rule
        : undefined;
    this.approverPolicy = gated
      ? createApproverPolicy(this, 'ApproverPolicy', {
          regions: config.regions,
          tagPrefix: config.tagPrefix,
          gpuInstanceTypes: props.gpuInstanceTypes ?? instanceTypePatterns(config.scope.accelerators),
        })
      : undefined;

    // The shipped agent config publishes the nvidia_smi metric, in the namespace of the source that reads it.
    const agentSource = config.metrics.sources.find((source) => source.metric === AGENT_METRIC);
    const agent = new AgentConfig(this, 'AgentConfig', {
      parameterName: props.agentConfigParameterName ?? AGENT_CONFIG_PARAMETER,
      namespace: agentSource?.namespace ?? 'CWAgent',
      installAgent: props.installAgent,
      targetTagKey: props.agentTargetTagKey ?? `${config.tagPrefix}cloudwatch-agent`,
      targetTagValues: props.agentTargetTagValues,
    });
    this.agentConfigParameter = agent.parameter;
    this.agentAssociations = agent.associations;
    if (agentSource === undefined) {
      const read = config.metrics.sources.map((source) => `"${source.metric}"`).join(', ');
      Annotations.of(this).addWarningV2(
        'gpu-reaper:custom-metric',
        `metrics.sources read ${read} but the shipped agent config publishes ${AGENT_METRIC}: publish them yourself`,
      );
    }

    const monitoring = new Monitoring(this, 'Monitoring', {
      reaper: this.reaperFunction,
      scheduled,
      fanOut: this.fanOut,
      deadLetterQueue: this.deadLetterQueue,
      adminTopic: this.adminTopic,
      runInterval,
    });
    this.alarms = monitoring.alarms;
    this.dashboard = monitoring.dashboard;

    this.digest = new WeeklyDigest(this, 'Digest', {
      config,
      table: this.table,
      adminTopic: this.adminTopic,
      deadLetterQueue: this.deadLetterQueue,
      schedule: props.digestSchedule,
      entry: props.digestEntry,
      logRetention: props.logRetention,
    });
  }

  /** The single-account reaper Lambda with its least-privilege role. */
  private createReaper(props: GpuReaperProps, config: Config, maxEventAge: Duration): NodejsFunction {
    const reaper = new GpuReaperFunction(this, 'Reaper', {
      entry: props.reaperEntry ?? functionEntry('reaper'),
      description: 'gpu-reaper: one pass over the GPU fleet (warn, then stop or terminate)',
      environment: {
        [EnvName.Config]: JSON.stringify(config),
        [EnvName.Table]: this.table.tableName,
        [EnvName.TopicArn]: this.topic.topicArn,
        [EnvName.AdminTopicArn]: this.adminTopic.topicArn,
        POWERTOOLS_SERVICE_NAME: ReaperMetrics.service,
        POWERTOOLS_METRICS_NAMESPACE: ReaperMetrics.namespace,
      },
      deadLetterQueue: this.deadLetterQueue,
      memorySize: props.memorySize,
      timeout: props.timeout,
      logRetention: props.logRetention,
      maxEventAge,
      reservedConcurrentExecutions: props.reaperConcurrency,
    });
    grantReaperRole(reaper.role, {
      regions: config.regions,
      tagPrefix: config.tagPrefix,
      scopeTags: config.scope.tags,
      gpuInstanceTypes: props.gpuInstanceTypes ?? instanceTypePatterns(config.scope.accelerators),
      mayStop: config.mode === 'enforce',
      mayTerminate: config.mode === 'enforce' && configTerminates(config.actions),
      // Opt-out does not exempt a run from cost-gating: the deny then lets the gate's stop reach an unapproved one.
      ...(config.gating !== null || config.budgets !== null ? { approvalTag: approvalTagKey(config.tagPrefix) } : {}),
      table: this.table,
      topics: [this.topic, this.adminTopic],
    });
    if (this.ownerActions) {
      // The reaper signs the links of WARNED messages (GenerateMac only) with the endpoint's URL.
      this.ownerActions.grantLinkSigning(reaper.role);
      reaper.function.addEnvironment(EnvName.LinkKeyId, this.ownerActions.key.keyArn);
      reaper.function.addEnvironment(EnvName.OwnerActionUrl, this.ownerActions.functionUrl.url);
    }
    if (this.chat) {
      reaper.function.addEnvironment(EnvName.ChatTopicArn, this.chat.topic.topicArn);
      this.chat.topic.grantPublish(reaper.role);
    }
    return reaper.function;
  }

  /**
   * The hub: the worker signs every target's links as the single-account reaper does (GenerateMac on the key, the
   * endpoint's URL, the chat topic), and the endpoint answers them through each account's spoke role.
   */
  private signLinksInTargets(fanOut: FanOut, organizationId: string): void {
    const worker = fanOut.worker;
    if (this.ownerActions) {
      this.ownerActions.grantLinkSigning(worker.role);
      worker.function.addEnvironment(EnvName.LinkKeyId, this.ownerActions.key.keyArn);
      worker.function.addEnvironment(EnvName.OwnerActionUrl, this.ownerActions.functionUrl.url);
      const discovery = this.config.accounts?.organization != null;
      this.ownerActions.grantSpokeRoles(fanOut.spokeRoleArnPattern, organizationId, discovery);
    }
    if (this.chat) {
      worker.function.addEnvironment(EnvName.ChatTopicArn, this.chat.topic.topicArn);
      this.chat.topic.grantPublish(worker.role);
    }
  }

  private createTable(config: Config, removalPolicy: RemovalPolicy | undefined): dynamodb.Table {
    return createAuditTable(this, 'AuditTable', { tableName: config.auditTable ?? undefined, removalPolicy });
  }
}

export { GpuReaper };
