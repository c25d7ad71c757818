/**
 * What one invocation of the reaper Lambda asks for. A schedule tick passes over every configured region; an EC2
 * state-change event for a launch (`running`) passes over that event's region only, so an expensive launch is seen
 * within a minute instead of at the next tick. Pure: the handler hands in the event and the regions, and gets back
 * the regions to pass over, or why the event is ignored.
 */

/** EventBridge's `source` of EC2's own events. */
const EC2_SOURCE = 'aws.ec2';
/** EventBridge's `detail-type` of an instance's state change. */
const STATE_CHANGE = 'EC2 Instance State-change Notification';
/** The state the launch trigger listens for: a launch, or a start after a stop. */
const LAUNCHED_STATE = 'running';

/** What the invocation asks for. */
type PassRequest =
  /** A schedule tick (or any invoke that is not an EC2 state change): every region of the pass. */
  | { readonly trigger: 'schedule'; readonly regions: readonly string[] }
  /** An instance reached `running` in a region the reaper covers: that region only. */
  | { readonly trigger: 'launch'; readonly regions: readonly [string]; readonly instanceId: string | undefined }
  /** A state change the reaper has nothing to do for (another state, another region): logged, no pass. */
  | {
      readonly trigger: 'ignored';
      readonly reason: string;
      readonly region: string | undefined;
      readonly state: string | undefined;
      readonly instanceId: string | undefined;
    };

/** Where the reaper runs. */
interface PassRegions {
  /** `config.regions`; empty means the home region. */
  readonly configured: readonly string[];
  /** The Lambda's own region (the stack's). */
  readonly homeRegion: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/**
 * The regions an invocation passes over: all of them for a tick, the event's own for a launch in a covered region.
 *
 * @example
 * passRequest({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', region: 'us-east-1',
 *   detail: { 'instance-id': 'i-0abc', state: 'running' } }, { configured: [], homeRegion: 'us-east-1' })
 * // { trigger: 'launch', regions: ['us-east-1'], instanceId: 'i-0abc' }
 */
function passRequest(event: unknown, where: PassRegions): PassRequest {
  const regions = where.configured.length > 0 ? where.configured : [where.homeRegion];
  const fields = record(event);
  if (fields.source !== EC2_SOURCE || fields['detail-type'] !== STATE_CHANGE) return { trigger: 'schedule', regions };
  const detail = record(fields.detail);
  const seen = { region: text(fields.region), state: text(detail.state), instanceId: text(detail['instance-id']) };
  if (seen.state !== LAUNCHED_STATE) {
    return { trigger: 'ignored', reason: `state is ${seen.state ?? 'missing'}, not ${LAUNCHED_STATE}`, ...seen };
  }
  if (seen.region === undefined || !regions.includes(seen.region)) {
    const reason = `region ${seen.region ?? '(missing)'} is not one the reaper covers (${regions.join(', ')})`;
    return { trigger: 'ignored', reason, ...seen };
  }
  return { trigger: 'launch', regions: [seen.region], instanceId: seen.instanceId };
}

export type { PassRegions, PassRequest };
export { EC2_SOURCE, LAUNCHED_STATE, passRequest, STATE_CHANGE };
