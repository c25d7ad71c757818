/**
 * The "how to send GPU telemetry" part of a no-telemetry notice: how an owner makes the instance publish what the
 * reaper reads. What it says about the agent config is read from the fragment the stack ships
 * (shared/config/agent-config.ts), so the notice and the SSM parameter cannot drift apart.
 */
import {
  AGENT_CONFIG_PARAMETER,
  AGENT_DEFAULT_NAMESPACE,
  AGENT_MIN_VERSION,
  agentConfigDocument,
} from '../../config/agent-config';
import type { ReaperEvent } from '../../core/events';
import { cleanText } from '../text/untrusted-text';
import { createTagsCommand } from './keep-it';

const AGENT_CTL = '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl';

/** `a`, `a and b`, `a, b and c`. */
function listed(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/**
 * The command that adds the stack's fragment to the agent's own config (`append-config`; `fetch-config` would
 * replace that config) and restarts the agent.
 *
 * @example appendConfigCommand('AmazonCloudWatch-gpu-reaper')
 * // sudo /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a append-config -m ec2 -s -c ssm:AmazonCloudWatch-gpu-reaper
 */
function appendConfigCommand(parameterName: string): string {
  return `sudo ${AGENT_CTL} -a append-config -m ec2 -s -c ssm:${parameterName}`;
}

/** What the shipped fragment adds, in words: its one plugin, measurements, interval and dimensions. */
function shippedConfigSentence(): string {
  const plugin = agentConfigDocument(AGENT_DEFAULT_NAMESPACE).metrics.metrics_collected.nvidia_gpu;
  const dimensions = Object.keys(plugin.append_dimensions);
  return (
    `The config adds only the agent's nvidia_gpu plugin: ${listed(plugin.measurement)} for each GPU every ` +
    `${plugin.metrics_collection_interval} seconds, with the ${listed(dimensions)} dimension${dimensions.length === 1 ? '' : 's'} ` +
    "added to each series. The agent's own config (its logs and other metrics) stays as it is."
  );
}

/**
 * For no-telemetry: how to make the instance publish what the reaper reads, either through the stack's agent
 * associations (a tag, when the admins enabled `installAgent`) or by hand, appending the shipped SSM parameter.
 */
function renderTelemetryHelp(event: ReaperEvent): string[] {
  const instanceId = cleanText(event.instanceId, 64);
  const region = cleanText(event.region, 32);
  const agentTag = `${cleanText(event.tagPrefix, 64)}cloudwatch-agent`;
  return [
    `The reaper reads the CloudWatch agent metric nvidia_smi_utilization_gpu (namespace ${AGENT_DEFAULT_NAMESPACE} by default).`,
    '1. Attach the CloudWatchAgentServerPolicy managed policy to the instance role.',
    '2. If your admins let the stack install the agent, tag the instance and allow up to 30 minutes:',
    `     ${createTagsCommand(instanceId, agentTag, 'install', region)}`,
    `   Otherwise install the CloudWatch agent (${AGENT_MIN_VERSION} or later) and append the stack's config to it`,
    `   (SSM parameter ${AGENT_CONFIG_PARAMETER} unless your admins renamed it):`,
    `     ${appendConfigCommand(AGENT_CONFIG_PARAMETER)}`,
    shippedConfigSentence(),
  ];
}

export { appendConfigCommand, renderTelemetryHelp };
