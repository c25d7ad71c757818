/**
 * The deployable stack: one `GpuReaper` built from the validated config file, plus outputs an admin needs after
 * `cdk deploy` (table, topics, agent config parameter, dashboard).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../../shared/config';
import { GpuReaper, type GpuReaperInfraProps } from '../constructs/gpu-reaper';
import { SpokeStackSet } from '../constructs/gpu-reaper/spoke-stack-set';
import { spokeTemplateBody } from './gpu-reaper-spoke-stack';

/** Props of {@link GpuReaperStack}. */
interface GpuReaperStackProps extends StackProps {
  /** The validated config (from `loadConfigFile`). */
  readonly config: Config;
  /** Infra options passed to the construct as they are. @default none (the construct's defaults) */
  readonly reaper?: GpuReaperInfraProps;
  /**
   * With `accounts.organization` set, the spoke stack set: deployed as the management account (`SELF`) or as a
   * StackSets delegated administrator (`DELEGATED_ADMIN`). @default 'SELF'
   */
  readonly spokeCallAs?: 'SELF' | 'DELEGATED_ADMIN';
  /**
   * The organization's root id (`r-…`), where the stack set deploys when `accounts.organization.ous` is `[]` (the
   * whole organization). @default none; required in that case
   */
  readonly organizationRootId?: string;
  /** Roll the spoke out as a stack set when `accounts.organization` is set. @default true */
  readonly spokeStackSet?: boolean;
}

/**
 * The Regions of the spoke stack set: every Region a target may be in (the config's and its overrides'), the
 * hub's first when it is among them (where the role has always been); none listed (`regions: []`): the hub's.
 */
function spokeRegions(config: Config, hubRegion: string): string[] {
  const overrides = Object.values(config.accounts?.overrides ?? {}).map((o) => (o as { regions?: unknown }).regions);
  const listed = [config.regions, ...overrides].flatMap((r) => (Array.isArray(r) ? r.map(String) : []));
  if (listed.length === 0) return [];
  const regions = [...new Set(listed)].sort();
  return regions.includes(hubRegion) ? [hubRegion, ...regions.filter((r) => r !== hubRegion)] : regions;
}

/** The gpu-reaper stack. */
class GpuReaperStack extends Stack {
  /** The reaper construct. */
  readonly reaper: GpuReaper;
  /** The spoke stack set; `undefined` without `accounts.organization` (or with `spokeStackSet: false`). */
  readonly spokeStackSet: SpokeStackSet | undefined;

  constructor(scope: Construct, id: string, props: GpuReaperStackProps) {
    super(scope, id, {
      description: 'gpu-reaper: warns about, then stops or terminates, idle and over-time GPU EC2 instances',
      ...props,
    });
    this.reaper = new GpuReaper(this, 'GpuReaper', { ...props.config, ...props.reaper });

    new CfnOutput(this, 'Mode', { value: this.reaper.config.mode, description: 'dry-run or enforce' });
    new CfnOutput(this, 'AuditTableName', {
      value: this.reaper.table.tableName,
      description: 'gpu-reaper report --table <this>',
    });
    new CfnOutput(this, 'TopicArn', { value: this.reaper.topic.topicArn, description: 'owner notifications' });
    new CfnOutput(this, 'AdminTopicArn', {
      value: this.reaper.adminTopic.topicArn,
      description: 'alarms, admin notices',
    });
    new CfnOutput(this, 'AgentConfigParameter', {
      value: this.reaper.agentConfigParameter.parameterName,
      description: 'amazon-cloudwatch-agent-ctl -a append-config -m ec2 -s -c ssm:<this>',
    });
    new CfnOutput(this, 'ReaperFunctionName', {
      value: this.reaper.reaperFunction.functionName,
      ...(this.reaper.fanOut ? { description: 'the worker: one target pass per message' } : {}),
    });
    new CfnOutput(this, 'DigestFunctionName', {
      value: this.reaper.digest.function.functionName,
      description: 'weekly digest to the admin topic',
    });
    new CfnOutput(this, 'DashboardName', { value: this.reaper.dashboard.dashboardName });
    if (this.reaper.ownerActions) {
      new CfnOutput(this, 'OwnerActionUrl', {
        value: this.reaper.ownerActions.functionUrl.url,
        description: 'the endpoint behind the one-click links of WARNED messages',
      });
    }
    if (this.reaper.approverPolicy) {
      new CfnOutput(this, 'ApproverPolicyArn', {
        value: this.reaper.approverPolicy.managedPolicyArn,
        description: 'attach to the approvers of expensive GPU runs: the one grant to write the approval tag',
      });
    }
    if (this.reaper.ownerActions && (this.reaper.approverPolicy || this.reaper.fanOut)) {
      new CfnOutput(this, 'OwnerActionRoleArn', {
        value: this.reaper.ownerActions.role.roleArn,
        description: this.reaper.fanOut
          ? 'the endpoint role the spoke roles trust for owner links (cdk deploy GpuReaperSpoke -c hubEndpointRoleArn=<this>)'
          : "the endpoint's role, which writes the approval tag for approver links (exempt it in the SCP)",
      });
    }
    if (this.reaper.chat) {
      new CfnOutput(this, 'ChatTopicArn', {
        value: this.reaper.chat.topic.topicArn,
        description: 'AWS Chatbot custom notifications',
      });
    }
    this.spokeStackSet = this.createSpokeStackSet(props);
  }

  /** The hub's outputs and spoke stack set, when the config covers an organization. */
  private createSpokeStackSet(props: GpuReaperStackProps): SpokeStackSet | undefined {
    const { fanOut, config } = this.reaper;
    const accounts = config.accounts;
    if (!fanOut || !accounts) return undefined;
    new CfnOutput(this, 'WorkerRoleArn', {
      value: fanOut.worker.role.roleArn,
      description: 'the only principal the spoke roles trust (cdk deploy GpuReaperSpoke -c hubWorkerRoleArn=<this>)',
    });
    new CfnOutput(this, 'LaunchEventBusArn', {
      value: fanOut.launchWake.bus.eventBusArn,
      description: 'where the spokes forward EC2 running events (cdk deploy GpuReaperSpoke -c hubEventBusArn=<this>)',
    });
    new CfnOutput(this, 'TargetQueueUrl', { value: fanOut.queue.queueUrl, description: 'one message per target' });
    new CfnOutput(this, 'TargetDeadLetterQueueUrl', {
      value: fanOut.deadLetterQueue.queueUrl,
      description: 'targets that failed every attempt',
    });
    if (accounts.organization === null || props.spokeStackSet === false) return undefined;
    const ous = accounts.organization.ous.length > 0 ? accounts.organization.ous : [props.organizationRootId ?? ''];
    if (ous[0] === '') {
      throw new Error(
        'accounts.organization.ous is [] (the whole organization): the spoke stack set needs the root id, ' +
          'pass -c organizationRootId=r-… or list the root id in ous',
      );
    }
    return new SpokeStackSet(this, 'SpokeStackSet', {
      templateBody: spokeTemplateBody(this, {
        config,
        gpuInstanceTypes: props.reaper?.gpuInstanceTypes,
        ownerActions: this.reaper.ownerActions !== undefined,
      }),
      hubWorkerRoleArn: fanOut.worker.role.roleArn,
      ...(this.reaper.ownerActions ? { hubEndpointRoleArn: this.reaper.ownerActions.role.roleArn } : {}),
      organizationId: props.reaper?.organizationId ?? '',
      hubEventBusArn: fanOut.launchWake.bus.eventBusArn,
      regions: spokeRegions(config, this.region),
      organizationalUnitIds: ous,
      excludeAccounts: accounts.exclude,
      callAs: props.spokeCallAs,
    });
  }
}

export type { GpuReaperStackProps };
export { GpuReaperStack };
