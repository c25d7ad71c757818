/**
 * Rule 9, `no-telemetry`: running longer than `noTelemetry.after` with no GPU datapoint at all in that window. The
 * owner is told (outcome `notify`); missing data is never a reason to act. A read error is not this rule: it is
 * the pass's failure, not the instance's.
 */
import { formatDuration } from '../../config/durations';
import { windowStats } from '../telemetry';
import type { Rule } from './context';

/** Finds an instance that publishes no GPU metric, so the reaper cannot see whether it is used. */
const noTelemetry: Rule = ({ telemetry, config, policy, now, runningForMs }) => {
  if (!config.noTelemetry.enabled || runningForMs <= policy.noTelemetryAfterMs || telemetry.status === 'error') {
    return null;
  }
  const from = new Date(now.getTime() - policy.noTelemetryAfterMs);
  const stats = windowStats(telemetry.points, from, now);
  if (stats.datapoints > 0) return null;
  const what = telemetry.status === 'missing' ? 'no series exists' : 'the series has no datapoint';
  return {
    rule: 'no-telemetry',
    verdict: 'notify',
    reason:
      `no GPU datapoint in the last ${formatDuration(policy.noTelemetryAfterMs)} (${config.metrics.namespace}/` +
      `${config.metrics.metric}: ${what}); is the CloudWatch agent running with its nvidia_smi plugin?`,
    evidence: {
      window: { from: from.toISOString(), to: now.toISOString(), minutes: stats.minutes },
      datapoints: 0,
      coverage: 0,
      maxUtilization: null,
    },
  };
};

export { noTelemetry };
