/**
 * Rule `gpu-idle-host-busy` (notify): the GPUs have stayed unused, by the GPU rules alone, for
 * `activity.host.notifyAfter` while the host was busy over that time. Host activity must not become an escape: a
 * CPU job on a GPU instance keeps paying for GPUs it never touches, so its owner is asked once per launch. Never an
 * action; `max-runtime` and `expired` still apply.
 */
import { formatDuration } from '../../config/durations';
import { describeHost } from '../host-activity';
import { idleRunMinutes } from '../idle-run';
import { MINUTE_MS } from '../telemetry';
import type { Rule, RuleContext } from './context';
import { judgeHost } from './host-gate';
import { idle } from './idle';
import { neverUsed } from './never-used';

/** How long the GPUs have been unused by the GPU rules alone: the run since launch for never-used, else the idle run. */
function gpuUnusedMs(context: RuleContext): number | null {
  if (neverUsed(context)?.verdict === 'act') return context.runningForMs;
  if (idle(context)?.verdict !== 'act') return null;
  const minutes = idleRunMinutes(context);
  return minutes === null ? null : minutes * MINUTE_MS;
}

/** Finds GPUs unused for `notifyAfter` on a host that has been working all along. */
const gpuIdleHostBusy: Rule = (context) => {
  const { config, policy, windowEnd } = context;
  if (!config.activity.host.enabled) return null;
  const unusedMs = gpuUnusedMs(context);
  if (unusedMs === null || unusedMs < policy.hostNotifyAfterMs) return null;
  const from = new Date(windowEnd.getTime() - policy.hostNotifyAfterMs);
  const { host, evidence } = judgeHost(context, { from, to: windowEnd });
  if (host.state !== 'busy') return null;
  const unused = formatDuration(Math.floor(unusedMs / MINUTE_MS) * MINUTE_MS);
  return {
    rule: 'gpu-idle-host-busy',
    verdict: 'notify',
    reason:
      `GPUs unused for ${unused} while the host works (${describeHost(host)}): a CPU job on a GPU instance? ` +
      'Nothing is stopped for this; a CPU instance type would cost less',
    evidence: {
      window: { from: from.toISOString(), to: windowEnd.toISOString(), minutes: policy.hostNotifyAfterMs / MINUTE_MS },
      idleMinutes: Math.floor(unusedMs / MINUTE_MS),
      host: evidence,
    },
  };
};

export { gpuIdleHostBusy };
