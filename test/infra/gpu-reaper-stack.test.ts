/**
 * The stack as `cdk synth` builds it from the default config (bundling included): every resource and the properties
 * the issue asks for. Snapshot, cdk-nag and cfn-lint are in gpu-reaper-compliance.test.ts.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditTableDesign, defaultConfig, EnvName, ReaperMetrics } from '../../shared/config';
import { synthStack } from './synth-stack';

let template: Template;
let json: {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>>;
};

beforeAll(() => {
  ({ template } = synthStack());
  json = template.toJSON() as typeof json;
});

const ref = (logicalIdPrefix: string) => ({ Ref: Match.stringLikeRegexp(`^${logicalIdPrefix}`) });
const getAtt = (logicalIdPrefix: string, attribute: string) => ({
  'Fn::GetAtt': [Match.stringLikeRegexp(`^${logicalIdPrefix}`), attribute],
});
const getAttOf = (logicalIdPrefix: string) => ({
  'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${logicalIdPrefix}`)), 'Arn'],
});
const resourcesOf = (type: string) => Object.values(json.Resources).filter((resource) => resource.Type === type);
/** The one resource of `type` whose logical ID starts with `logicalIdPrefix`. */
const resourceOf = (type: string, logicalIdPrefix: string) => {
  const found = Object.entries(json.Resources).filter(([id, r]) => r.Type === type && id.startsWith(logicalIdPrefix));
  expect(found).toHaveLength(1);
  return found[0]![1];
};
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const statementsOf = (policy: { Properties?: Record<string, unknown> }) =>
  (policy.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];

describe('the reaper Lambda', () => {
  it('runs on arm64 with the newest Node.js runtime, bundled as ESM with source maps, reserving no concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      // An account at the new-account concurrency quota of 10 can reserve none; the pass's lease keeps one at a time.
      ReservedConcurrentExecutions: Match.absent(),
      Timeout: 300,
      MemorySize: 512,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: ref('GpuReaperLogs') },
      DeadLetterConfig: { TargetArn: getAtt('GpuReaperDeadLetterQueue', 'Arn') },
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it('receives the validated config, the table, both topics and the Powertools names in its environment', () => {
    const fn = resourceOf('AWS::Lambda::Function', 'GpuReaperFunction');
    const environment = fn?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
    const variables = environment?.Variables ?? {};
    expect(JSON.parse(variables[EnvName.Config] as string)).toEqual(defaultConfig());
    expect(variables[EnvName.Table]).toEqual({ Ref: expect.stringMatching(/^GpuReaperAuditTable/) });
    expect(variables[EnvName.TopicArn]).toEqual({ Ref: expect.stringMatching(/^GpuReaperNotificationsTopic/) });
    expect(variables[EnvName.AdminTopicArn]).toEqual({
      Ref: expect.stringMatching(/^GpuReaperNotificationsAdminTopic/),
    });
    expect(variables.POWERTOOLS_SERVICE_NAME).toBe(ReaperMetrics.service);
    expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe(ReaperMetrics.namespace);
  });

  it('retries a failed async invoke once and drops invokes older than one schedule period to the queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 300,
    });
  });

  it('logs to its own log group, kept three months', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('has its own role, with no managed policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('in dry-run, may not stop or terminate at all: the only statement naming those actions is the opt-out deny', () => {
    const statements = statementsOf(resourceOf('AWS::IAM::Policy', 'GpuReaperRoleDefaultPolicy'));
    const acting = statements.filter((statement) => JSON.stringify(statement.Action).match(/Stop|Terminate/));
    expect(acting.map((statement) => statement.Effect)).toEqual(['Deny']);
  });
});

describe('the weekly digest', () => {
  it('is a second Lambda like the reaper: arm64, newest Node.js, its own log group and the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^gpu-reaper: weekly digest'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      // The fleet audit reads a week of GPU history: 10,000 instances fit in 1 GiB (npm run bench).
      Timeout: 600,
      MemorySize: 1536,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: ref('GpuReaperDigestLogs') },
      DeadLetterConfig: { TargetArn: getAtt('GpuReaperDeadLetterQueue', 'Arn') },
    });
  });

  it('receives the config, the table and the admin topic, never the owner topic', () => {
    const fn = resourceOf('AWS::Lambda::Function', 'GpuReaperDigestFunction');
    const environment = fn.Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
    const variables = environment?.Variables ?? {};
    expect(JSON.parse(variables[EnvName.Config] as string)).toEqual(defaultConfig());
    expect(variables[EnvName.Table]).toEqual({ Ref: expect.stringMatching(/^GpuReaperAuditTable/) });
    expect(variables[EnvName.AdminTopicArn]).toEqual({
      Ref: expect.stringMatching(/^GpuReaperNotificationsAdminTopic/),
    });
    expect(variables[EnvName.TopicArn]).toBeUndefined();
  });

  it('runs Mondays at 08:00 UTC, with retries and the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 8 ? * MON *)',
      Targets: [
        Match.objectLike({
          Arn: getAtt('GpuReaperDigestFunction', 'Arn'),
          DeadLetterConfig: { Arn: getAtt('GpuReaperDeadLetterQueue', 'Arn') },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21_600 },
        }),
      ],
    });
  });

  it('may only query the table and its index, publish to the admin topic (with its key), and read GPU history', () => {
    const statements = statementsOf(resourceOf('AWS::IAM::Policy', 'GpuReaperDigestRoleDefaultPolicy'));
    const byAction = Object.fromEntries(statements.map((s) => [JSON.stringify(s.Action), s.Resource]));
    expect(Object.keys(byAction).sort()).toEqual(
      [
        '["kms:Decrypt","kms:GenerateDataKey*"]',
        '["logs:CreateLogStream","logs:PutLogEvents"]',
        '"dynamodb:Query"',
        '"sns:Publish"',
        '"sqs:SendMessage"',
        '["cloudwatch:GetMetricData","cloudwatch:ListMetrics","ec2:DescribeInstances"]',
      ].sort(),
    );
    expect(byAction['["cloudwatch:GetMetricData","cloudwatch:ListMetrics","ec2:DescribeInstances"]']).toBe('*');
    expect(byAction['"dynamodb:Query"']).toEqual([
      getAttOf('GpuReaperAuditTable'),
      { 'Fn::Join': ['', [getAttOf('GpuReaperAuditTable'), '/index/*']] },
    ]);
    expect(byAction['"sns:Publish"']).toEqual({ Ref: expect.stringMatching(/^GpuReaperNotificationsAdminTopic/) });
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
  });

  it('alarms the admin topic when a digest fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [ref('GpuReaperNotificationsAdminTopic')],
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: ref('GpuReaperDigestFunction') }],
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('the schedule', () => {
  it('invokes the reaper at the configured rate, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: getAtt('GpuReaperFunction', 'Arn'),
          DeadLetterConfig: { Arn: getAtt('GpuReaperDeadLetterQueue', 'Arn') },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      Action: 'lambda:InvokeFunction',
    });
  });

  it('keeps dead letters 14 days in an encrypted, TLS-only queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('the audit table', () => {
  it('follows AuditTableDesign exactly: pk/sk strings, the by-time index, TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: AuditTableDesign.partitionKey, KeyType: 'HASH' },
        { AttributeName: AuditTableDesign.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: AuditTableDesign.partitionKey, AttributeType: 'S' },
        { AttributeName: AuditTableDesign.sortKey, AttributeType: 'S' },
        { AttributeName: AuditTableDesign.timeIndexPartitionKey, AttributeType: 'S' },
        { AttributeName: AuditTableDesign.timeIndexSortKey, AttributeType: 'S' },
      ]),
      GlobalSecondaryIndexes: [
        {
          IndexName: AuditTableDesign.timeIndexName,
          KeySchema: [
            { AttributeName: AuditTableDesign.timeIndexPartitionKey, KeyType: 'HASH' },
            { AttributeName: AuditTableDesign.timeIndexSortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      TimeToLiveSpecification: { AttributeName: AuditTableDesign.ttlAttribute, Enabled: true },
    });
  });

  it('is on-demand, encrypted, recoverable, protected and retained when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });
});

describe('the topics', () => {
  it('encrypts both topics with one rotating customer managed key', () => {
    // Two keys: this one, and the owner links' HMAC key (owner-actions.test.ts).
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.resourcePropertiesCountIs('AWS::KMS::Key', { EnableKeyRotation: true }, 1);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    for (const topic of resourcesOf('AWS::SNS::Topic')) {
      expect(topic.Properties?.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^GpuReaperNotificationsKey/), 'Arn'],
      });
    }
  });

  it('refuses publishing without TLS on both topics', () => {
    const policies = resourcesOf('AWS::SNS::TopicPolicy');
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(JSON.stringify(policy.Properties)).toContain('"Bool":{"aws:SecureTransport":"false"}');
    }
  });

  it('lets CloudWatch alarms of this account publish to the admin topic and use the key', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('subscribes no email when notifications.emails is empty', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('the CloudWatch agent config', () => {
  it('is a fragment adding nvidia_smi metrics per GPU, with InstanceId, every minute, in the default namespace', () => {
    const [parameter] = resourcesOf('AWS::SSM::Parameter');
    expect(parameter?.Properties?.Name).toBe('AmazonCloudWatch-gpu-reaper');
    const agentConfig = JSON.parse(parameter?.Properties?.Value as string);
    // No agent section, no namespace (CWAgent is the agent's default), no global dimensions: agent-config-merge.test.ts.
    expect(agentConfig).toEqual({
      metrics: {
        metrics_collected: {
          nvidia_gpu: {
            measurement: ['utilization_gpu', 'memory_used', 'memory_total', 'temperature_gpu'],
            metrics_collection_interval: 60,
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the CloudWatch agent's own placeholder
            append_dimensions: { InstanceId: '${aws:InstanceId}' },
          },
        },
      },
    });
  });

  it('creates no association unless installAgent is on', () => {
    template.resourceCountIs('AWS::SSM::Association', 0);
  });
});

describe('alarms and dashboard', () => {
  const adminTopicActions = { AlarmActions: [ref('GpuReaperNotificationsAdminTopic')] };

  it('alarms the admin topic when a pass fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...adminTopicActions,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms the admin topic when no pass started for three schedule periods, silence counting as breaching', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...adminTopicActions,
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      Period: 300,
      EvaluationPeriods: 3,
      TreatMissingData: 'breaching',
    });
  });

  it('alarms the admin topic when a scheduled pass lands in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...adminTopicActions,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
  });

  it('graphs scanned, warned, acted by rule, errors and pass duration, plus Lambda duration and errors', () => {
    const [dashboard] = resourcesOf('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties?.DashboardBody);
    for (const metric of [
      ReaperMetrics.instancesScanned,
      ReaperMetrics.warned,
      ReaperMetrics.acted,
      ReaperMetrics.errors,
      ReaperMetrics.passDuration,
    ]) {
      expect(body).toContain(`\\"${ReaperMetrics.namespace}\\",\\"${metric}\\"`);
    }
    expect(body).toContain(`{${ReaperMetrics.namespace},Rule,service} MetricName=\\\\\\"${ReaperMetrics.acted}`);
    expect(body).toContain('\\"AWS/Lambda\\",\\"Duration\\"');
    expect(body).toContain('\\"AWS/Lambda\\",\\"Errors\\"');
  });
});
