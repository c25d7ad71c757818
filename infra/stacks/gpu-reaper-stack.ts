/**
 * The deployable stack: one `GpuReaper` built from the validated config file, plus outputs an admin needs after
 * `cdk deploy` (table, topics, agent config parameter, dashboard).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../../shared/config';
import { GpuReaper, type GpuReaperInfraProps } from '../constructs/gpu-reaper';

/** Props of {@link GpuReaperStack}. */
interface GpuReaperStackProps extends StackProps {
  /** The validated config (from `loadConfigFile`). */
  readonly config: Config;
  /** Infra options passed to the construct as they are. @default none (the construct's defaults) */
  readonly reaper?: GpuReaperInfraProps;
}

/** The gpu-reaper stack. */
class GpuReaperStack extends Stack {
  /** The reaper construct. */
  readonly reaper: GpuReaper;

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
    new CfnOutput(this, 'ReaperFunctionName', { value: this.reaper.reaperFunction.functionName });
    new CfnOutput(this, 'DigestFunctionName', {
      value: this.reaper.digest.function.functionName,
      description: 'weekly digest to the admin topic',
    });
    new CfnOutput(this, 'DashboardName', { value: this.reaper.dashboard.dashboardName });
  }
}

export type { GpuReaperStackProps };
export { GpuReaperStack };
