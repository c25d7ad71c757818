/**
 * The construct under non-default config and infra options, and the synth-time checks of its props. Shape-only:
 * bundling is skipped, so each synth takes a fraction of a second.
 */
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { GpuReaperProps } from '../../infra/constructs/gpu-reaper';
import { GpuReaper, missedRunWindow, schedulePeriod } from '../../infra/constructs/gpu-reaper';
import { synthHub } from './synth-hub';
import { cdkJsonContext, FIXTURE_ENTRY, synthStack } from './synth-stack';

/** A bare stack with one GpuReaper, bundling skipped. */
function reaperIn(props: GpuReaperProps, build?: (stack: Stack) => Partial<GpuReaperProps>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  const reaper = new GpuReaper(stack, 'GpuReaper', {
    reaperEntry: FIXTURE_ENTRY,
    digestEntry: FIXTURE_ENTRY,
    ...props,
    ...build?.(stack),
  });
  return { stack, reaper, template: Template.fromStack(stack) };
}

describe('a scoped, enforcing, multi-region config', () => {
  const { template } = synthStack({
    bundle: false,
    config: {
      mode: 'enforce',
      regions: ['us-east-1', 'eu-west-1'],
      schedule: 'rate(10 minutes)',
      scope: { tags: { Purpose: ['transient-ml-training'] } },
      auditTable: 'gpu-reaper-audit',
      metrics: { namespace: 'GpuFleet' },
      notifications: { emails: ['ml-platform@example.com', 'finops@example.com'] },
    },
  });

  it('schedules passes at the configured rate, and alarms after three missed ones', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(10 minutes)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocations',
      Period: 600,
      EvaluationPeriods: 3,
    });
  });

  it('names the table after auditTable', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'gpu-reaper-audit' });
  });

  it('subscribes every configured email to the owner topic and, by default, to the admin topic', () => {
    const subscriptions = template.findResources('AWS::SNS::Subscription');
    expect(Object.keys(subscriptions)).toHaveLength(4);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'finops@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^GpuReaperNotificationsTopic') },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ml-platform@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^GpuReaperNotificationsAdminTopic') },
    });
  });

  it('publishes the agent config in the configured namespace', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', { Value: Match.stringLikeRegexp('"namespace":"GpuFleet"') });
  });

  it('limits stop/terminate to the configured regions, GPU types and scope tags', () => {
    const [policy] = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('GpuReaperRoleDefaultPolicy'))
      .map(([, resource]) => resource);
    const statements = policy?.Properties.PolicyDocument.Statement as { Sid?: string; [key: string]: unknown }[];
    const stop = statements.find((statement) => statement.Sid === 'StopOrTerminateGpuInstancesInScope');
    expect(stop?.Condition).toEqual({
      StringLike: { 'ec2:InstanceType': ['p*.*', 'g*.*', 'dl1.*'] },
      StringEquals: { 'aws:ResourceTag/Purpose': ['transient-ml-training'] },
    });
    const arns = (stop?.Resource ?? []) as { 'Fn::Join': [string, unknown[]] }[];
    const regions = arns.map((arn) => arn['Fn::Join'][1][2]);
    expect(regions.sort()).toEqual([':ec2:eu-west-1:', ':ec2:us-east-1:']);
  });
});

describe('installAgent', () => {
  const { template } = synthStack({ bundle: false, reaper: { installAgent: true } });

  it('installs the agent on instances tagged gpu-reaper:cloudwatch-agent=install', () => {
    template.hasResourceProperties('AWS::SSM::Association', {
      Name: 'AWS-ConfigureAWSPackage',
      Parameters: { action: ['Install'], name: ['AmazonCloudWatchAgent'] },
      Targets: [{ Key: 'tag:gpu-reaper:cloudwatch-agent', Values: ['install'] }],
    });
  });

  it('appends the agent config from the SSM parameter (never replacing), restarting the agent, after the install', () => {
    template.hasResource('AWS::SSM::Association', {
      DependsOn: [Match.stringLikeRegexp('^GpuReaperAgentConfigInstallAgent')],
      Properties: Match.objectLike({
        Name: 'AmazonCloudWatch-ManageAgent',
        Parameters: {
          action: ['configure (append)'],
          mode: ['ec2'],
          optionalConfigurationSource: ['ssm'],
          optionalConfigurationLocation: [{ Ref: Match.stringLikeRegexp('^GpuReaperAgentConfigParameter') }],
          optionalRestart: ['yes'],
        },
        Targets: [{ Key: 'tag:gpu-reaper:cloudwatch-agent', Values: ['install'] }],
      }),
    });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: 'AmazonCloudWatch-gpu-reaper' });
  });
});

describe('cdk-nag in a known account and region', () => {
  // With a region known (the CDK CLI always sets one) ARNs carry literal partitions, regions and accounts.
  it.each(['us-east-1', 'cn-north-1', 'us-gov-west-1'])(
    'leaves no finding unacknowledged in %s, with a table passed in and enforce mode',
    (region) => {
      const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Test', { env: { account: '123456789012', region } });
      new GpuReaper(stack, 'GpuReaper', {
        reaperEntry: FIXTURE_ENTRY,
        digestEntry: FIXTURE_ENTRY,
        mode: 'enforce',
        regions: [region],
        installAgent: true,
        table: dynamodb.Table.fromTableName(stack, 'Existing', 'audit'),
      });
      Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    },
  );
});

describe('existing resources', () => {
  it('uses a table and topics passed in instead of creating them', () => {
    const { template, reaper } = reaperIn({}, (stack) => ({
      table: dynamodb.Table.fromTableName(stack, 'Existing', 'audit'),
      topic: sns.Topic.fromTopicArn(stack, 'Owners', 'arn:aws:sns:us-east-1:123456789012:owners'),
      adminTopic: sns.Topic.fromTopicArn(stack, 'Admins', 'arn:aws:sns:us-east-1:123456789012:admins'),
    }));
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    // Only the owner links' HMAC key, no topic key.
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourcePropertiesCountIs('AWS::KMS::Key', { KeySpec: 'HMAC_256' }, 1);
    expect(reaper.topicKey).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GPU_REAPER_TABLE: 'audit',
          GPU_REAPER_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:owners',
          GPU_REAPER_ADMIN_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:admins',
        }),
      },
    });
  });

  it('publishes to the topic of topicArn and still creates an encrypted admin topic', () => {
    const { template } = reaperIn({ topicArn: 'arn:aws:sns:us-east-1:123456789012:owners' });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });
});

describe('reserved concurrency (opt-in: an account at the new-account quota of 10 can reserve none)', () => {
  type Fn = { Properties: { ReservedConcurrentExecutions?: number } };
  const reserved = (template: Template) =>
    Object.fromEntries(
      Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, Fn>).map(([id, fn]) => [
        id.replace(/[0-9A-F]{8}$/, ''),
        fn.Properties.ReservedConcurrentExecutions,
      ]),
    );

  it('reserves none in the default template (reaper, digest, owner-action endpoint)', () => {
    const functions = reserved(synthStack({ bundle: false }).template);
    expect(Object.keys(functions).length).toBeGreaterThanOrEqual(3);
    for (const [id, value] of Object.entries(functions)) expect(value, id).toBeUndefined();
  });

  it('reserves for the reaper and the endpoint what reaperConcurrency and ownerActionConcurrency ask', () => {
    const { template } = synthStack({ bundle: false, reaper: { reaperConcurrency: 1, ownerActionConcurrency: 5 } });
    expect(reserved(template)).toMatchObject({
      GpuReaperFunction: 1,
      GpuReaperOwnerActionsEndpointFunction: 5,
      GpuReaperDigestFunction: undefined,
    });
  });

  it('reserves none in the hub by default, and reaperConcurrency for its dispatcher', () => {
    const hub = reserved(synthHub().hubTemplate);
    for (const [id, value] of Object.entries(hub)) expect(value, id).toBeUndefined();
    const asked = reserved(synthHub({ reaper: { reaperConcurrency: 1 } }).hubTemplate);
    expect(asked).toMatchObject({ GpuReaperFanOutDispatcherFunction: 1, GpuReaperFanOutWorkerFunction: undefined });
  });

  it('refuses a reservation that is not a whole number from 1 to 100, naming the prop', () => {
    expect(() => reaperIn({ reaperConcurrency: 0 })).toThrow(
      /reaperConcurrency: must be a whole number from 1 to 100 \(reserved concurrency\), got 0/,
    );
    expect(() => reaperIn({ ownerActionConcurrency: 1.5 })).toThrow(/ownerActionConcurrency: .*got 1\.5/);
  });
});

describe('synth-time checks', () => {
  it('fails with the key path when a config prop is invalid', () => {
    expect(() => reaperIn({ idle: { threshold: 150 } })).toThrow(/idle\.threshold/);
    expect(() => reaperIn({ schedule: 'every 5 minutes' })).toThrow(/schedule: must be an EventBridge/);
  });

  it('reports every broken infra rule at once, naming each prop', () => {
    const broken = () =>
      reaperIn({ memorySize: 64, timeout: Duration.minutes(20), gpuInstanceTypes: [], agentTargetTagKey: 'k' });
    expect(broken).toThrow(/memorySize: .*got 64/);
    expect(broken).toThrow(/timeout: .*got 20 minutes/);
    expect(broken).toThrow(/gpuInstanceTypes: /);
    expect(broken).toThrow(/agentTargetTagKey: .*needs installAgent/);
  });

  it('refuses an existing table together with auditTable, and an existing topic together with topicArn', () => {
    expect(() =>
      reaperIn({ auditTable: 'audit' }, (stack) => ({ table: dynamodb.Table.fromTableName(stack, 'T', 'other') })),
    ).toThrow(/table: pass an existing table or auditTable/);
    expect(() =>
      reaperIn({ topicArn: 'arn:aws:sns:us-east-1:123456789012:a' }, (stack) => ({
        topic: sns.Topic.fromTopicArn(stack, 'T', 'arn:aws:sns:us-east-1:123456789012:b'),
      })),
    ).toThrow(/topic: pass an existing topic or topicArn/);
  });

  it('warns when metrics.metric is not what the shipped agent config publishes', () => {
    const { stack } = reaperIn({ metrics: { metric: 'gpu_busy' } });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('metrics.sources read "gpu_busy"'));
  });
});

describe('digestSchedule', () => {
  it('schedules the weekly digest as asked, in UTC', () => {
    const { template, reaper } = reaperIn({ digestSchedule: 'cron(30 6 ? * FRI *)' });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(30 6 ? * FRI *)',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperDigestFunction'), 'Arn'] } }),
      ],
    });
    expect(reaper.digest.scheduleRule).toBeDefined();
  });

  it('refuses a schedule EventBridge would not take, naming the prop', () => {
    expect(() => reaperIn({ digestSchedule: 'every monday' })).toThrow(
      /digestSchedule: must be an EventBridge rate\(\.\.\.\) or cron\(\.\.\.\) expression, got "every monday"/,
    );
  });
});

describe('schedule timings', () => {
  it.each([
    ['rate(1 minute)', 1],
    ['rate(5 minutes)', 5],
    ['rate(2 hours)', 120],
    ['rate(1 day)', 1440],
  ])('reads the period of %s', (expression, minutes) => {
    expect(schedulePeriod(expression)?.toMinutes()).toBe(minutes);
  });

  it('has no fixed period for a cron() schedule, so did-not-run assumes a daily run', () => {
    expect(schedulePeriod('cron(0/5 * * * ? *)')).toBeUndefined();
    const { template } = reaperIn({ schedule: 'cron(0/5 * * * ? *)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocations',
      Period: 86_400,
      EvaluationPeriods: 3,
    });
  });

  it.each([
    [Duration.minutes(1), 300, 1],
    [Duration.minutes(5), 300, 3],
    [Duration.hours(1), 3600, 3],
    [Duration.days(2), 86_400, 6],
    [Duration.days(3), 86_400, 7],
  ])('alarms on missed runs of %s inside CloudWatch limits', (interval, period, evaluationPeriods) => {
    const window = missedRunWindow(interval);
    expect(window.period.toSeconds()).toBe(period);
    expect(window.evaluationPeriods).toBe(evaluationPeriods);
    const limit = period < 3600 ? 86_400 : 7 * 86_400;
    expect(period * evaluationPeriods).toBeLessThanOrEqual(limit);
  });
});
