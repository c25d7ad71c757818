/**
 * The hub (config `accounts` set): dispatcher, target queue, worker with bounded concurrency and partial batch
 * failures, the per-target alarms, the per-account dashboard, the spoke stack set; and the standalone spoke stack.
 * Both templates pass cdk-nag with no unacknowledged finding and cfn-lint.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { GpuReaperPropsError } from '../../infra/constructs/gpu-reaper';
import type { GpuReaperSpokeStack } from '../../infra/stacks/gpu-reaper-spoke-stack';
import type { GpuReaperStack } from '../../infra/stacks/gpu-reaper-stack';
import { EnvName, ReaperMetrics } from '../../shared/config';
import { resolvePython } from '../../shared/local/python-tools.mjs';
import { HUB_CONFIG, ORGANIZATION_ID, OU, synthHub } from './synth-hub';

type Resource = { Type: string; Properties: Record<string, unknown> };
let hub: GpuReaperStack;
let spoke: GpuReaperSpokeStack;
let hubTemplate: Template;
let spokeTemplate: Template;

beforeAll(() => {
  ({ hub, spoke, hubTemplate, spokeTemplate } = synthHub());
});

const resources = (template: Template, type: string) =>
  Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);
const functionNamed = (template: Template, prefix: string) => {
  const found = resources(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0]?.[1] as Resource;
};

describe('the hub', () => {
  it('starts the dispatcher each tick and runs no single-account reaper', () => {
    const ids = resources(hubTemplate, 'AWS::Lambda::Function').map(([id]) => id);
    expect(ids.some((id) => id.startsWith('GpuReaperFanOutDispatcher'))).toBe(true);
    expect(ids.some((id) => id.startsWith('GpuReaperFanOutWorker'))).toBe(true);
    expect(ids.some((id) => /^GpuReaperFunction/.test(id))).toBe(false);
    hubTemplate.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperFanOutDispatcher'), 'Arn'] } }),
      ],
    });
  });

  it('feeds the worker one target per message, at most 20 at once by default, reporting partial batch failures', () => {
    hubTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    // Bounded by the event source, not by a reservation that would throttle the poller.
    expect(functionNamed(hubTemplate, 'GpuReaperFanOutWorker').Properties.ReservedConcurrentExecutions).toBeUndefined();
    // No reservation by default either (the target leases keep ticks apart); reaperConcurrency opts in.
    expect(
      functionNamed(hubTemplate, 'GpuReaperFanOutDispatcher').Properties.ReservedConcurrentExecutions,
    ).toBeUndefined();
  });

  it('takes the concurrency and attempts from props', () => {
    const { hubTemplate: custom } = synthHub({ reaper: { workerMaxConcurrency: 200, maxTargetAttempts: 5 } });
    custom.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 200 } });
    custom.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
  });

  it('keeps failing targets in a dead-letter queue; a message lives no longer than its target lease', () => {
    hubTemplate.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 600,
      MessageRetentionPeriod: 1800,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperFanOutTargetDeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
    const dispatcher = functionNamed(hubTemplate, 'GpuReaperFanOutDispatcher');
    const variables = (dispatcher.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    // Retention (3 attempts × 10 minutes) plus one run (5 minutes).
    expect(variables[EnvName.TargetLeaseMs]).toBe(String(35 * 60 * 1000));
    expect(variables[EnvName.TargetQueueUrl]).toEqual({ Ref: expect.stringMatching(/^GpuReaperFanOutTargetQueue/) });
  });

  it('alarms per failing target with a Metrics Insights query grouped by account and region, and on dead letters', () => {
    hubTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [
        Match.objectLike({
          Expression: `SELECT SUM(${ReaperMetrics.targetFailed}) FROM SCHEMA("GpuReaper", AccountId, Region, service) GROUP BY AccountId, Region`,
          Period: 3600,
        }),
      ],
      Threshold: 3,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^GpuReaperNotificationsAdminTopic') }],
    });
    hubTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperFanOutTargetDeadLetterQueue'), 'QueueName'] },
        },
      ],
    });
  });

  it('shows per-account figures on the dashboard', () => {
    const [, dashboard] = resources(hubTemplate, 'AWS::CloudWatch::Dashboard')[0] ?? [];
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    expect(body).toContain('target pass done');
    expect(body).toContain('by accountId');
    expect(body).toContain('GROUP BY AccountId, Region');
  });

  it('lets the worker assume only the spoke role name, only in the organization', () => {
    hubTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^GpuReaperFanOutWorkerRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/GpuReaperSpoke']] },
            Condition: { StringEquals: { 'aws:ResourceOrgID': ORGANIZATION_ID } },
          }),
        ]),
      },
    });
    // The worker acts in member accounts only (through the spoke role), never on the hub's own instances.
    const worker = Object.values(hubTemplate.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('GpuReaperFanOutWorkerRole'),
    );
    expect(worker).toHaveLength(1);
    expect(JSON.stringify(worker)).not.toMatch(/ec2:(StopInstances|TerminateInstances|CreateTags)/);
  });

  it("lets the worker sign links with the hub's key and the endpoint's URL, and the endpoint assume the spoke role", () => {
    hubTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          GPU_REAPER_LINK_KEY_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperOwnerActionsLinkKey'), 'Arn'] },
          GPU_REAPER_OWNER_ACTION_URL: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperOwnerActionsEndpointFunctionFunctionUrl'), 'FunctionUrl'],
          },
          GPU_REAPER_TARGET_QUEUE_URL: Match.absent(),
        }),
      },
      Description: Match.stringLikeRegexp('one target pass'),
    });
    hubTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^GpuReaperFanOutWorkerRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'kms:GenerateMac',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperOwnerActionsLinkKey'), 'Arn'] },
          }),
        ]),
      },
    });
    hubTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^GpuReaperOwnerActionsEndpointRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/GpuReaperSpoke']] },
            Condition: { StringEquals: { 'aws:ResourceOrgID': ORGANIZATION_ID } },
          }),
          Match.objectLike({ Action: 'organizations:ListParents', Resource: '*' }),
        ]),
      },
    });
    hubTemplate.hasOutput('OwnerActionRoleArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperOwnerActionsEndpointRole'), 'Arn'] },
    });
  });

  it('rolls the spoke out as a service-managed stack set auto-deploying to the OUs, whose template is the spoke stack', () => {
    const [[, stackSet] = []] = resources(hubTemplate, 'AWS::CloudFormation::StackSet');
    expect(stackSet?.Properties).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      CallAs: 'SELF',
      StackInstancesGroup: [
        {
          DeploymentTargets: {
            OrganizationalUnitIds: [OU],
            Accounts: ['222222222222'],
            AccountFilterType: 'DIFFERENCE',
          },
          // Every Region the config covers: each forwards its own launches.
          Regions: ['us-east-1', 'us-west-2'],
        },
      ],
      Parameters: [
        {
          ParameterKey: 'HubWorkerRoleArn',
          ParameterValue: { 'Fn::GetAtt': [expect.stringMatching(/^GpuReaperFanOutWorkerRole/), 'Arn'] },
        },
        { ParameterKey: 'OrganizationId', ParameterValue: ORGANIZATION_ID },
        {
          ParameterKey: 'HubEndpointRoleArn',
          ParameterValue: { 'Fn::GetAtt': [expect.stringMatching(/^GpuReaperOwnerActionsEndpointRole/), 'Arn'] },
        },
        {
          ParameterKey: 'HubEventBusArn',
          ParameterValue: { 'Fn::GetAtt': [expect.stringMatching(/^GpuReaperFanOutLaunchWakeBus/), 'Arn'] },
        },
        // The role is global: created by the stack instance of one Region only.
        { ParameterKey: 'RoleRegion', ParameterValue: 'us-east-1' },
      ],
    });
    const body = JSON.parse(stackSet?.Properties.TemplateBody as string) as {
      Resources: Record<string, Resource>;
      Parameters: object;
    };
    const spokeResources = spokeTemplate.toJSON().Resources as Record<string, Resource>;
    // The same role and policy as `cdk deploy GpuReaperSpoke`; no bootstrap rule (member accounts are not bootstrapped).
    for (const id of Object.keys(spokeResources).filter((key) => key !== 'CDKMetadata')) {
      expect(body.Resources[id]).toEqual(spokeResources[id]);
    }
    expect(JSON.stringify(body)).not.toMatch(/BootstrapVersion/);
    expect(Object.keys(body.Parameters).sort()).toEqual([
      'HubEndpointRoleArn',
      'HubEventBusArn',
      'HubWorkerRoleArn',
      'OrganizationId',
      'RoleRegion',
    ]);
    expect(String(stackSet?.Properties.TemplateBody).length).toBeLessThan(51_200);
  });

  it('opens a launch bus to the organization only, whose rule hands EC2 running events to the dispatcher', () => {
    const [[busId] = []] = resources(hubTemplate, 'AWS::Events::EventBus');
    expect(busId).toMatch(/^GpuReaperFanOutLaunchWakeBus/);
    hubTemplate.hasResourceProperties('AWS::Events::EventBus', {
      Policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OrganizationSpokesPutEvents',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'events:PutEvents',
            Resource: { 'Fn::Join': Match.anyValue() },
            Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } },
          },
        ],
      },
    });
    hubTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['running'] },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperFanOutDispatcher'), 'Arn'] },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    hubTemplate.hasOutput('LaunchEventBusArn', { Value: { 'Fn::GetAtt': [busId, 'Arn'] } });
    // The dispatcher reads the target states and marks a woken one, in the target partitions only.
    hubTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^GpuReaperFanOutDispatcherRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']),
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TARGET#*'] } },
          }),
        ]),
      },
    });
  });

  it('deploys the stack set to every Region of the config and its overrides, the hub’s when none is listed', () => {
    const more = {
      ...HUB_CONFIG,
      accounts: { ...HUB_CONFIG.accounts, overrides: { '111111111111': { regions: ['eu-west-1'] } } },
    };
    const regionsOf = (template: Template) => {
      const [[, stackSet] = []] = resources(template, 'AWS::CloudFormation::StackSet');
      return (stackSet?.Properties.StackInstancesGroup as { Regions: unknown }[] | undefined)?.[0]?.Regions;
    };
    expect(regionsOf(synthHub({ config: more }).hubTemplate)).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    expect(regionsOf(synthHub({ config: { ...HUB_CONFIG, regions: [] } }).hubTemplate)).toEqual([
      { Ref: 'AWS::Region' },
    ]);
  });

  it('deploys the stack set to the root when ous is [] and a root id is given, as a delegated administrator if asked', () => {
    const config = { ...HUB_CONFIG, accounts: { organization: { ous: [] } } };
    const { hubTemplate: whole } = synthHub({
      config,
      stack: { organizationRootId: 'r-ab12', spokeCallAs: 'DELEGATED_ADMIN' },
    });
    whole.hasResourceProperties('AWS::CloudFormation::StackSet', {
      CallAs: 'DELEGATED_ADMIN',
      StackInstancesGroup: [Match.objectLike({ DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'] } })],
    });
    expect(() => synthHub({ config })).toThrow(/organizationRootId/);
  });

  it('has no stack set without discovery, or when turned off', () => {
    const ids = { ...HUB_CONFIG, accounts: { ids: ['111111111111'] } };
    expect(resources(synthHub({ config: ids }).hubTemplate, 'AWS::CloudFormation::StackSet')).toEqual([]);
    expect(
      resources(synthHub({ stack: { spokeStackSet: false } }).hubTemplate, 'AWS::CloudFormation::StackSet'),
    ).toEqual([]);
  });

  it('fails at synth without an organization id, naming the prop', () => {
    expect(() => synthHub({ reaper: { organizationId: undefined } })).toThrow(GpuReaperPropsError);
    expect(() => synthHub({ reaper: { organizationId: 'org-1' } })).toThrow(
      /organizationId: must be an organization id/,
    );
    expect(() => synthHub({ reaper: { workerMaxConcurrency: 1 } })).toThrow(/workerMaxConcurrency/);
  });
});

describe('the spoke stack', () => {
  it("creates the named role trusting only the hub worker role and, under its session name, the hub's endpoint role, within the organization", () => {
    spokeTemplate.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'GpuReaperSpoke',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { Ref: 'HubWorkerRoleArn' } },
            Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
          },
          {
            Sid: 'HubOwnerActionEndpoint',
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { Ref: 'HubEndpointRoleArn' } },
            Condition: {
              StringEquals: {
                'aws:PrincipalOrgID': { Ref: 'OrganizationId' },
                'sts:RoleSessionName': 'gpu-reaper-owner-action',
              },
            },
          },
        ],
      },
    });
    spokeTemplate.hasParameter('OrganizationId', { Default: ORGANIZATION_ID });
  });

  it('forwards EC2 running events to the hub launch bus through a role that may only put events on it', () => {
    spokeTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['running'] },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: 'HubEventBusArn' },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LaunchForwardingRole'), 'Arn'] },
        }),
      ],
    });
    spokeTemplate.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })],
      },
    });
    spokeTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { Ref: 'HubEventBusArn' } }],
      },
    });
    spokeTemplate.hasParameter('RoleRegion', { Default: '' });
  });

  it('creates the spoke role in one Region only, and the forwarding rule in every Region', () => {
    const template = spokeTemplate.toJSON() as {
      Resources: Record<string, { Type: string; Condition?: string }>;
      Outputs: Record<string, { Condition?: string }>;
    };
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (id.startsWith('LaunchForwarding')) expect(resource.Condition, id).toBeUndefined();
      else if (id !== 'CDKMetadata') expect(resource.Condition, id).toBe('InRoleRegion');
    }
    expect(template.Outputs.RoleArn?.Condition).toBe('InRoleRegion');
    spokeTemplate.hasCondition('InRoleRegion', {
      'Fn::Or': [
        { 'Fn::Equals': [{ Ref: 'RoleRegion' }, ''] },
        { 'Fn::Equals': [{ Ref: 'RoleRegion' }, { Ref: 'AWS::Region' }] },
      ],
    });
  });

  it('requires the external id when the config sets one', () => {
    const config = { ...HUB_CONFIG, accounts: { ...HUB_CONFIG.accounts, externalId: 'gpu-reaper-7f3a' } };
    const withId = { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' }, 'sts:ExternalId': 'gpu-reaper-7f3a' };
    synthHub({ config }).spokeTemplate.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        // The worker's trust and the endpoint's both need it.
        Statement: [
          Match.objectLike({ Condition: { StringEquals: withId } }),
          Match.objectLike({
            Condition: { StringEquals: { ...withId, 'sts:RoleSessionName': 'gpu-reaper-owner-action' } },
          }),
        ],
      },
    });
  });

  it('refuses an override that changes the tag prefix (the opt-out deny follows one prefix)', () => {
    const config = { ...HUB_CONFIG, accounts: { overrides: { '111111111111': { tagPrefix: 'reaper:' } } } };
    expect(() => synthHub({ config })).toThrow(/accounts\.overrides\.111111111111\.tagPrefix/);
  });
});

describe('compliance', () => {
  it('has no unacknowledged cdk-nag finding, error or warning in the hub or the spoke', () => {
    for (const stack of [hub, spoke]) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    }
  });

  it('is cfn-lint clean, hub and spoke', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-reaper-hub-lint-'));
    try {
      const files = [
        ['hub.json', hubTemplate],
        ['spoke.json', spokeTemplate],
      ].map(([name, template]) => {
        const file = join(dir, name as string);
        writeFileSync(file, JSON.stringify((template as Template).toJSON(), null, 2));
        return file;
      });
      const lint = spawnSync(
        resolvePython(),
        ['-c', 'import sys; from cfnlint.runner import main; sys.exit(main())', ...files],
        { encoding: 'utf8' },
      );
      expect(lint.error).toBeUndefined();
      expect(`${lint.stdout}${lint.stderr}`).toBe('');
      expect(lint.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
