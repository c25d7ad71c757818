/**
 * The approvers' subscriptions: each `gating.approvers` address is an email subscription of the owner topic that
 * receives only the approvers' copy (`{"audience": ["approvers"]}`); the other email subscribers of the owner topic
 * receive everything but that copy (`{"audience": [{"exists": false}]}`), and an address that is both is subscribed
 * once, unfiltered. The admin topic's subscriptions are untouched.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Notifications, type NotificationsProps } from '../../infra/constructs/gpu-reaper/notifications';

function synth(props: NotificationsProps): Template {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  new Notifications(stack, 'Notifications', props);
  return Template.fromStack(stack);
}

const OWNER_TOPIC = { Ref: Match.stringLikeRegexp('^NotificationsTopic') };
const ADMIN_TOPIC = { Ref: Match.stringLikeRegexp('^NotificationsAdminTopic') };

/** The subscriptions, by endpoint and topic. */
function subscriptions(template: Template) {
  return Object.values(template.findResources('AWS::SNS::Subscription')).map((resource) => {
    const p = resource.Properties as Record<string, unknown>;
    const topic = (p.TopicArn as { Ref: string }).Ref.startsWith('NotificationsAdminTopic') ? 'admin' : 'owner';
    return { endpoint: p.Endpoint, topic, protocol: p.Protocol, filter: p.FilterPolicy };
  });
}

describe('the approvers’ subscriptions', () => {
  it('subscribes each approver to the owner topic for the approvers’ copy only', () => {
    const template = synth({ approvers: ['ml-leads@example.com', 'cfo@example.com'] });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ml-leads@example.com',
      TopicArn: OWNER_TOPIC,
      FilterPolicy: { audience: ['approvers'] },
    });
    expect(subscriptions(template)).toHaveLength(2);
    for (const subscription of subscriptions(template)) {
      expect(subscription).toMatchObject({ topic: 'owner', protocol: 'email', filter: { audience: ['approvers'] } });
    }
  });

  it('keeps the approvers’ copy from the owner topic’s other email subscribers, and leaves the admin topic be', () => {
    const template = synth({
      emails: ['ml-platform@example.com'],
      adminEmails: ['ml-platform@example.com'],
      approvers: ['ml-leads@example.com'],
    });
    expect(subscriptions(template)).toEqual(
      expect.arrayContaining([
        {
          endpoint: 'ml-platform@example.com',
          topic: 'owner',
          protocol: 'email',
          filter: { audience: [{ exists: false }] },
        },
        { endpoint: 'ml-platform@example.com', topic: 'admin', protocol: 'email', filter: undefined },
        { endpoint: 'ml-leads@example.com', topic: 'owner', protocol: 'email', filter: { audience: ['approvers'] } },
      ]),
    );
    expect(subscriptions(template)).toHaveLength(3);
    template.hasResourceProperties('AWS::SNS::Subscription', { TopicArn: ADMIN_TOPIC, FilterPolicy: Match.absent() });
  });

  it('subscribes an address that is both an email and an approver once, to every message', () => {
    const template = synth({ emails: ['ml-leads@example.com'], approvers: ['ml-leads@example.com'] });
    expect(subscriptions(template)).toEqual([
      { endpoint: 'ml-leads@example.com', topic: 'owner', protocol: 'email', filter: undefined },
    ]);
  });

  it('adds no subscription without approvers, and filters nothing but the approvers’ copy', () => {
    const template = synth({ emails: ['ml-platform@example.com'] });
    expect(subscriptions(template)).toEqual([
      {
        endpoint: 'ml-platform@example.com',
        topic: 'owner',
        protocol: 'email',
        filter: { audience: [{ exists: false }] },
      },
    ]);
  });
});
