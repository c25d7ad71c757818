/**
 * The CloudWatch agent config that makes GPU telemetry readable, kept in an SSM parameter, and, when enabled, the
 * State Manager associations that install the agent and add that config to tagged instances.
 *
 * The config is a fragment the agent appends to what the instance already runs (`append-config`), never a
 * replacement: the instance's own logs, memory and disk metrics keep working. The agent merges its config files
 * section by section (aws/amazon-cloudwatch-agent, translator/jsonconfig/mergeJsonConfig.go and
 * translator/jsonconfig/mergeJsonUtil/util.go): a key that two files set must hold the same value in both, or the
 * merge fails; only some keys merge their contents (`metrics.metrics_collected`, `logs.logs_collected.files`, the
 * `procstat` and `collect_list` lists, …). So the fragment sets no global key that an instance's config commonly sets
 * too: no `agent` section (`metrics_collection_interval`, `run_as_user`), no `metrics.append_dimensions` and no
 * `metrics.aggregation_dimensions` (they would also change the instance's own metrics). It adds one plugin,
 * `nvidia_gpu`, with its interval and the `InstanceId` dimension on that plugin alone.
 */
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** The nvidia_smi measurements the agent publishes; `utilization_gpu` is the one the reaper reads. */
const GPU_MEASUREMENTS = ['utilization_gpu', 'memory_used', 'memory_total', 'temperature_gpu'] as const;

/** The agent's namespace when its config names none (translator/translate/metrics/ruleNamespace.go). */
const AGENT_DEFAULT_NAMESPACE = 'CWAgent';

/**
 * The agent config fragment: per-GPU `nvidia_smi` series every minute, each with the `InstanceId` dimension.
 *
 * `InstanceId` is appended on the plugin, not globally, so that it merges with any `append_dimensions` of the
 * instance's own config; the agent resolves `${aws:InstanceId}` there from version 1.300061.0 (aws/amazon-cloudwatch-agent
 * #1876). The namespace is the agent's one namespace for every metric of the instance: it is left out when it is the
 * agent's default (`CWAgent`), so the fragment never moves the instance's own metrics.
 *
 * @param namespace CloudWatch namespace (config `metrics.namespace`)
 */
function agentConfigDocument(namespace: string): object {
  return {
    metrics: {
      ...(namespace === AGENT_DEFAULT_NAMESPACE ? {} : { namespace }),
      metrics_collected: {
        nvidia_gpu: {
          measurement: [...GPU_MEASUREMENTS],
          metrics_collection_interval: 60,
          // The agent substitutes ${aws:InstanceId} on the instance; it is not a CloudFormation or JS placeholder.
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the agent's own placeholder syntax
          append_dimensions: { InstanceId: '${aws:InstanceId}' },
        },
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
