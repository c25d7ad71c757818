/**
 * The no-telemetry notice tells owners how to load the agent config the stack ships: every claim it makes about
 * that config is checked here against the SSM parameter and the association the synthesized stack really holds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_MIN_VERSION } from '../../shared/config/agent-config';
import { renderNotification } from '../../shared/render/notifications/notification';
import { reaperEvent } from '../helpers/events';
import { synthStack } from './synth-stack';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Plugin = { measurement: string[]; metrics_collection_interval: number; append_dimensions: Record<string, string> };

let shipped: { name: string; config: { metrics: Record<string, unknown> }; action: unknown };
let text: string;

beforeAll(() => {
  const { template } = synthStack({ bundle: false, reaper: { installAgent: true } });
  const resources = Object.values((template.toJSON() as { Resources: Record<string, Resource> }).Resources);
  const parameter = resources.find((r) => r.Type === 'AWS::SSM::Parameter')?.Properties ?? {};
  const configure = resources.find(
    (r) => r.Type === 'AWS::SSM::Association' && r.Properties?.Name === 'AmazonCloudWatch-ManageAgent',
  );
  shipped = {
    name: parameter.Name as string,
    config: JSON.parse(parameter.Value as string),
    action: (configure?.Properties?.Parameters as Record<string, unknown> | undefined)?.action,
  };
  const event = reaperEvent({ event: 'NOTIFIED', rule: 'no-telemetry', action: 'notify', actAt: null });
  text = renderNotification(event).text;
});

describe('the no-telemetry notice about the shipped agent config', () => {
  it('appends the shipped parameter to the agent config, as the stack association does, never replacing it', () => {
    expect(shipped.action).toEqual(['configure (append)']);
    expect(text).toContain(
      `sudo /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a append-config -m ec2 -s -c ssm:${shipped.name}\n`,
    );
    expect(text).toContain(`(SSM parameter ${shipped.name} unless your admins renamed it)`);
    expect(text).not.toContain('fetch-config');
  });

  it('describes exactly the plugin, measurements, interval and dimensions the parameter holds', () => {
    const { metrics } = shipped.config;
    expect(Object.keys(metrics)).toEqual(['metrics_collected']);
    const collected = metrics.metrics_collected as Record<string, Plugin>;
    expect(Object.keys(collected)).toEqual(['nvidia_gpu']);
    const plugin = collected.nvidia_gpu as Plugin;
    const measurements = `${plugin.measurement.slice(0, -1).join(', ')} and ${plugin.measurement.at(-1)}`;
    expect(text).toContain(
      `The config adds only the agent's nvidia_gpu plugin: ${measurements} for each GPU every ` +
        `${plugin.metrics_collection_interval} seconds, with the ${Object.keys(plugin.append_dimensions).join(', ')} ` +
        "dimension added to each series. The agent's own config (its logs and other metrics) stays as it is.",
    );
    expect(text).toContain(`nvidia_smi_${plugin.measurement[0]}`);
  });

  it('claims no setting the shipped config does not make', () => {
    // No global dimensions or rollups: the fragment sets neither, so the notice must not say it does.
    expect(JSON.stringify(shipped.config)).not.toContain('aggregation_dimensions');
    expect(text).not.toContain('aggregation_dimensions');
    expect(text).not.toContain('busiest GPU per instance');
  });

  it('names the agent version that resolves the InstanceId dimension the config appends', () => {
    expect(
      Object.values(
        (shipped.config.metrics.metrics_collected as Record<string, Plugin>).nvidia_gpu?.append_dimensions ?? {},
      ),
    ).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the CloudWatch agent's own placeholder
      '${aws:InstanceId}',
    ]);
    expect(text).toContain(`install the CloudWatch agent (${AGENT_MIN_VERSION} or later)`);
  });
});
