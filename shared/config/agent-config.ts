/**
 * The CloudWatch agent config fragment the stack ships in an SSM parameter, as plain data: the construct writes it
 * into the parameter and the no-telemetry notice tells owners what it holds, from this one definition.
 *
 * The fragment is appended to what the instance already runs (`append-config`), never a replacement: the
 * instance's own logs, memory and disk metrics keep working. The agent merges its config files section by section
 * (aws/amazon-cloudwatch-agent, translator/jsonconfig/mergeJsonConfig.go and translator/jsonconfig/mergeJsonUtil/
 * util.go): a key that two files set must hold the same value in both, or the merge fails; only some keys merge
 * their contents (`metrics.metrics_collected`, `logs.logs_collected.files`, the `procstat` and `collect_list` lists,
 * …). So the fragment sets no global key that an instance's config commonly sets too: no `agent` section
 * (`metrics_collection_interval`, `run_as_user`), no `metrics.append_dimensions` and no
 * `metrics.aggregation_dimensions` (they would also change the instance's own metrics). It adds one plugin,
 * `nvidia_gpu`, with its interval and the `InstanceId` dimension on that plugin alone.
 */

/** The SSM parameter name the stack gives the fragment unless `agentConfigParameterName` says otherwise. */
const AGENT_CONFIG_PARAMETER = 'AmazonCloudWatch-gpu-reaper';

/** The nvidia_smi measurements the agent publishes; `utilization_gpu` is the one the reaper reads. */
const GPU_MEASUREMENTS = ['utilization_gpu', 'memory_used', 'memory_total', 'temperature_gpu'] as const;

/** The agent's namespace when its config names none (translator/translate/metrics/ruleNamespace.go). */
const AGENT_DEFAULT_NAMESPACE = 'CWAgent';

/** The first agent version that resolves `${aws:InstanceId}` in a plugin's `append_dimensions` (aws/amazon-cloudwatch-agent #1876). */
const AGENT_MIN_VERSION = '1.300061.0';

/** The `nvidia_gpu` plugin section of the fragment (a type, not an interface: it is plain JSON). */
type NvidiaGpuPlugin = {
  readonly measurement: readonly string[];
  /** Seconds between readings. */
  readonly metrics_collection_interval: number;
  /** Dimensions added to this plugin's series only; values are the agent's own placeholders. */
  readonly append_dimensions: Readonly<Record<string, string>>;
};

/** The whole fragment: a `metrics` section with the one plugin, and a namespace only when not the default. */
type AgentConfigDocument = {
  readonly metrics: {
    readonly namespace?: string;
    readonly metrics_collected: { readonly nvidia_gpu: NvidiaGpuPlugin };
  };
};

/**
 * The agent config fragment: per-GPU `nvidia_smi` series every minute, each with the `InstanceId` dimension.
 *
 * `InstanceId` is appended on the plugin, not globally, so that it merges with any `append_dimensions` of the
 * instance's own config; the agent resolves `${aws:InstanceId}` there from {@link AGENT_MIN_VERSION}. The namespace
 * is the agent's one namespace for every metric of the instance: it is left out when it is the agent's default
 * (`CWAgent`), so the fragment never moves the instance's own metrics.
 *
 * @param namespace CloudWatch namespace (config `metrics.namespace`)
 * @example agentConfigDocument('CWAgent').metrics.metrics_collected.nvidia_gpu.metrics_collection_interval // 60
 */
function agentConfigDocument(namespace: string): AgentConfigDocument {
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

export type { AgentConfigDocument, NvidiaGpuPlugin };
export { AGENT_CONFIG_PARAMETER, AGENT_DEFAULT_NAMESPACE, AGENT_MIN_VERSION, agentConfigDocument, GPU_MEASUREMENTS };
