import { describe, expect, it } from 'vitest';
import { passRequest } from '../../../shared/pass/launch-event';

/** EC2's state-change event as EventBridge delivers it. */
const stateChange = (overrides: { region?: unknown; state?: unknown; instanceId?: unknown } = {}) => ({
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2026-12-07T10:00:00Z',
  region: 'region' in overrides ? overrides.region : 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0abc'],
  detail: {
    'instance-id': 'instanceId' in overrides ? overrides.instanceId : 'i-0abc',
    state: 'state' in overrides ? overrides.state : 'running',
  },
});
const scheduled = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-12-07T10:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/GpuReaper-Schedule'],
  detail: {},
};
const home = { configured: [], homeRegion: 'us-east-1' };
const many = { configured: ['us-east-1', 'eu-west-1'], homeRegion: 'us-east-1' };

describe('passRequest', () => {
  it('passes over every configured region on a schedule tick', () => {
    expect(passRequest(scheduled, many)).toEqual({ trigger: 'schedule', regions: ['us-east-1', 'eu-west-1'] });
  });

  it('passes over the home region on a tick when no region is configured', () => {
    expect(passRequest(scheduled, home)).toEqual({ trigger: 'schedule', regions: ['us-east-1'] });
  });

  it('treats any invoke that is not an EC2 state change as a tick (a manual invoke, an empty event)', () => {
    for (const event of [
      {},
      null,
      undefined,
      'tick',
      { source: 'aws.ec2', 'detail-type': 'AWS API Call via CloudTrail' },
    ]) {
      expect(passRequest(event, many)).toEqual({ trigger: 'schedule', regions: ['us-east-1', 'eu-west-1'] });
    }
  });

  it('passes over the event region only when an instance starts running there', () => {
    expect(passRequest(stateChange({ region: 'eu-west-1' }), many)).toEqual({
      trigger: 'launch',
      regions: ['eu-west-1'],
      instanceId: 'i-0abc',
    });
    expect(passRequest(stateChange(), home)).toEqual({
      trigger: 'launch',
      regions: ['us-east-1'],
      instanceId: 'i-0abc',
    });
  });

  it('still passes over the region when the event names no instance', () => {
    expect(passRequest(stateChange({ instanceId: undefined }), home)).toEqual({
      trigger: 'launch',
      regions: ['us-east-1'],
      instanceId: undefined,
    });
  });

  it.each(['pending', 'stopping', 'stopped', 'shutting-down', 'terminated'])('ignores the state %s', (state) => {
    expect(passRequest(stateChange({ state }), home)).toEqual({
      trigger: 'ignored',
      reason: `state is ${state}, not running`,
      region: 'us-east-1',
      state,
      instanceId: 'i-0abc',
    });
  });

  it('ignores a state change with no state', () => {
    expect(passRequest(stateChange({ state: undefined }), home)).toMatchObject({
      trigger: 'ignored',
      reason: 'state is missing, not running',
    });
  });

  it('ignores a launch in a region the reaper does not cover', () => {
    expect(passRequest(stateChange({ region: 'ap-south-1' }), many)).toEqual({
      trigger: 'ignored',
      reason: 'region ap-south-1 is not one the reaper covers (us-east-1, eu-west-1)',
      region: 'ap-south-1',
      state: 'running',
      instanceId: 'i-0abc',
    });
    // With no regions configured only the home region is covered.
    expect(passRequest(stateChange({ region: 'eu-west-1' }), home)).toMatchObject({ trigger: 'ignored' });
  });

  it('ignores a launch whose region is missing or not a string', () => {
    for (const region of [undefined, '', 42]) {
      expect(passRequest(stateChange({ region }), home)).toMatchObject({
        trigger: 'ignored',
        reason: 'region (missing) is not one the reaper covers (us-east-1)',
      });
    }
  });

  it('ignores a launch in the home region when only other regions are configured', () => {
    const elsewhere = { configured: ['eu-west-1'], homeRegion: 'us-east-1' };
    expect(passRequest(stateChange({ region: 'us-east-1' }), elsewhere)).toMatchObject({ trigger: 'ignored' });
    expect(passRequest(stateChange({ region: 'eu-west-1' }), elsewhere)).toMatchObject({
      trigger: 'launch',
      regions: ['eu-west-1'],
    });
  });
});
