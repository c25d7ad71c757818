/**
 * The EC2 state-change event a spoke forwards to the hub's event bus when an instance starts: which target
 * (account × region) it belongs to. EventBridge keeps the source account and region on a forwarded event.
 */

/** The target and instance of a launch event. */
interface LaunchEvent {
  readonly accountId: string;
  readonly region: string;
  readonly instanceId: string;
}

const DETAIL_TYPE = 'EC2 Instance State-change Notification';
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The launch an event tells of; `undefined` for any other event (a schedule tick, another state, a bad shape).
 *
 * @example launchEventOf({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification',
 *   account: '111111111111', region: 'eu-west-1', detail: { 'instance-id': 'i-0abc', state: 'running' } })
 */
function launchEventOf(event: unknown): LaunchEvent | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as Record<string, unknown>;
  const detail = (typeof e.detail === 'object' && e.detail !== null ? e.detail : {}) as Record<string, unknown>;
  if (e.source !== 'aws.ec2' || e['detail-type'] !== DETAIL_TYPE || detail.state !== 'running') return undefined;
  if (typeof e.account !== 'string' || !ACCOUNT_ID.test(e.account)) return undefined;
  if (typeof e.region !== 'string' || !REGION.test(e.region)) return undefined;
  const instanceId = typeof detail['instance-id'] === 'string' ? detail['instance-id'] : '';
  return { accountId: e.account, region: e.region, instanceId };
}

export type { LaunchEvent };
export { launchEventOf };
