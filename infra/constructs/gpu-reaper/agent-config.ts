/**
 * The CloudWatch agent config that makes GPU telemetry readable, kept in an SSM parameter, and, when enabled, the
 * State Manager associations that install the agent and add that config to tagged instances.
 *
 * The config is a fragment the agent appends to what the instance already runs (`append-config`), never a
 * replacement; what it holds and why is defined once, with the no-telemetry notice that describes it to owners, in
 * shared/config/agent-config.ts.
 */
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { AGENT_DEFAULT_NAMESPACE, agentConfigDocument, GPU_MEASUREMENTS } from '../../../shared/config/agent-config';

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
  /** Install then configure (append) associations; empty unless `installAgent`. */
  readonly associations: readonly ssm.CfnAssociation[];

  constructor(scope: Construct, id: string, props: AgentConfigProps) {
    super(scope, id);
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: props.parameterName,
      description:
        'gpu-reaper: CloudWatch agent config fragment (append-config) publishing nvidia_smi GPU metrics by InstanceId',
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
        // `configure (append)` runs `amazon-cloudwatch-agent-ctl -a append-config`: the fragment joins the instance's
        // own config files instead of replacing them (`configure` is `fetch-config`, which does). Appending the same
        // parameter again overwrites its own file, so the repeats below are harmless.
        action: ['configure (append)'],
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
    configure.node.addDependency(install);
    return [install, configure];
  }
}

export type { AgentConfigProps };
export { AGENT_DEFAULT_NAMESPACE, AgentConfig, agentConfigDocument, GPU_MEASUREMENTS };
