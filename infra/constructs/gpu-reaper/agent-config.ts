/**
 * The CloudWatch agent config that makes GPU telemetry readable (SPEC.md "GPU telemetry"), kept in an SSM parameter,
 * and, when enabled, the State Manager associations that install the agent and apply that config to tagged
 * instances.
 */
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** The nvidia_smi measurements the agent publishes; `utilization_gpu` is the one the reaper reads. */
const GPU_MEASUREMENTS = ['utilization_gpu', 'memory_used', 'memory_total', 'temperature_gpu'] as const;

/**
 * The agent config document: per-GPU series with the `InstanceId` dimension appended, plus an instance-level rollup
 * (`aggregation_dimensions: [["InstanceId"]]`) whose Maximum is the busiest GPU.
 *
 * @param namespace CloudWatch namespace (config `metrics.namespace`)
 */
function agentConfigDocument(namespace: string): object {
  return {
    agent: { metrics_collection_interval: 60 },
    metrics: {
      namespace,
      // The agent substitutes ${aws:InstanceId} on the instance; it is not a CloudFormation or JS placeholder.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent's own placeholder syntax
      append_dimensions: { InstanceId: '${aws:InstanceId}' },
      aggregation_dimensions: [['InstanceId']],
      metrics_collected: {
        nvidia_gpu: { measurement: [...GPU_MEASUREMENTS], metrics_collection_interval: 60 },
      },
    },
  };
}

/** Props of {@link AgentConfig}. */
interface AgentConfigProps {
  /** SSM parameter name. */
  readonly parameterName: string;
  /** CloudWatch namespace the agent publishes to. */
  readonly namespace: string;
  /** Create the install and configure associations. @default false */
  readonly installAgent?: boolean;
  /** Tag key of the targeted instances. Required when `installAgent` is true. @default none */
  readonly targetTagKey?: string;
  /** Tag values of the targeted instances. @default ['install'] */
  readonly targetTagValues?: readonly string[];
}

/** The agent config parameter and, optionally, the associations that apply it. */
class AgentConfig extends Construct {
  /** The SSM parameter holding the agent config JSON. */
  readonly parameter: ssm.StringParameter;
  /** Install then configure associations; empty unless `installAgent`. */
  readonly associations: readonly ssm.CfnAssociation[];

  constructor(scope: Construct, id: string, props: AgentConfigProps) {
    super(scope, id);
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: props.parameterName,
      description: 'gpu-reaper: CloudWatch agent config publishing nvidia_smi GPU metrics with an InstanceId rollup',
      stringValue: JSON.stringify(agentConfigDocument(props.namespace)),
      tier: ssm.ParameterTier.STANDARD,
    });
    this.associations = props.installAgent ? this.createAssociations(props) : [];
  }

  private createAssociations(props: AgentConfigProps): ssm.CfnAssociation[] {
    const targets = [{ key: `tag:${props.targetTagKey}`, values: [...(props.targetTagValues ?? ['install'])] }];
    const install = new ssm.CfnAssociation(this, 'InstallAgent', {
      associationName: 'gpu-reaper-install-cloudwatch-agent',
      name: 'AWS-ConfigureAWSPackage',
      parameters: { action: ['Install'], name: ['AmazonCloudWatchAgent'] },
      targets,
      // Weekly, to pick up agent updates; new matching instances get it as soon as they register.
      scheduleExpression: 'rate(7 days)',
    });
    const configure = new ssm.CfnAssociation(this, 'ConfigureAgent', {
      associationName: 'gpu-reaper-configure-cloudwatch-agent',
      name: 'AmazonCloudWatch-ManageAgent',
      parameters: {
        action: ['configure'],
        mode: ['ec2'],
        optionalConfigurationSource: ['ssm'],
        optionalConfigurationLocation: [this.parameter.parameterName],
        optionalRestart: ['yes'],
      },
      targets,
      // State Manager does not order two associations on a new instance: if configure runs before the install
      // finishes it fails, so it repeats (30 minutes is the shortest rate) and also picks up config changes.
      scheduleExpression: 'rate(30 minutes)',
    });
    configure.addDependency(install);
    return [install, configure];
  }
}

export type { AgentConfigProps };
export { AgentConfig, agentConfigDocument, GPU_MEASUREMENTS };
