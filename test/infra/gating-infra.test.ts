/**
 * The infrastructure of cost-gating and budgets: the launch trigger (an EventBridge rule on EC2's `running` events
 * targeting the reaper) and the approvers' managed policy with its output exist only when `gating` or `budgets` is
 * set, never in the default template nor (the trigger) in a hub; with them the template stays cdk-nag and cfn-lint
 * clean.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuReaperStack } from '../../infra/stacks/gpu-reaper-stack';
import type { ConfigInput } from '../../shared/config';
import { resolvePython } from '../../shared/local/python-tools.mjs';
import { EC2_SOURCE, LAUNCHED_STATE, STATE_CHANGE } from '../../shared/pass/launch-event';
import { HUB_CONFIG, synthHub } from './synth-hub';
import { synthStack } from './synth-stack';

const GATING: ConfigInput = { gating: { threshold: 500, approvers: ['ml-leads@example.com'] } };
const BUDGETS: ConfigInput = { budgets: { tag: 'Team', monthlyUsd: { '*': 5000 } } };
const LAUNCH_RULE = {
  EventPattern: {
    source: [EC2_SOURCE],
    'detail-type': [STATE_CHANGE],
    detail: { state: [LAUNCHED_STATE] },
  },
};

/** The logical id of the reaper Lambda (not the digest's, not the endpoint's). */
function reaperFunctionId(template: Template): string {
  const ids = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) =>
    /^GpuReaperFunction[0-9A-F]{8}$/.test(id),
  );
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

/** cfn-lint's findings (empty when clean), through the project's Python. */
function cfnLint(template: Template): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-reaper-cfn-lint-'));
  try {
    const file = join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template.toJSON(), null, 2));
    const lint = spawnSync(
      resolvePython(),
      ['-c', 'import sys; from cfnlint.runner import main; sys.exit(main())', file],
      { encoding: 'utf8' },
    );
    expect(lint.error).toBeUndefined();
    return `${lint.stdout}${lint.stderr}${lint.status === 0 ? '' : `exit ${lint.status}`}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the default template (no gating, no budgets)', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synthStack({ bundle: false }));
  });

  it('has no launch trigger: its only rules are the schedules', () => {
    template.resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: Match.anyValue() }, 0);
  });

  it('has no approvers policy and no ApproverPolicyArn or OwnerActionRoleArn output', () => {
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(Object.keys(template.findOutputs('ApproverPolicyArn'))).toEqual([]);
    expect(Object.keys(template.findOutputs('OwnerActionRoleArn'))).toEqual([]);
  });
});

describe.each([
  ['gating', GATING],
  ['budgets', BUDGETS],
])('with %s set', (_name, config) => {
  let stack: GpuReaperStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synthStack({ bundle: false, config }));
  });

  it('starts a pass of the stack region when an EC2 instance starts running, targeting the reaper', () => {
    template.resourcePropertiesCountIs('AWS::Events::Rule', LAUNCH_RULE, 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ...LAUNCH_RULE,
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [reaperFunctionId(template), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperDeadLetterQueue'), 'Arn'] } },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
        }),
      ],
    });
  });

  it('lets EventBridge invoke the reaper from that rule only', () => {
    const [ruleId] = Object.keys(template.findResources('AWS::Events::Rule', { Properties: LAUNCH_RULE }));
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [reaperFunctionId(template), 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
  });

  it('exports the approvers managed policy as ApproverPolicyArn, with a description, and the endpoint role', () => {
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    const [policyId] = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policyId).toMatch(/^GpuReaperApproverPolicy/);
    template.hasOutput('ApproverPolicyArn', {
      Value: { Ref: policyId },
      Description: Match.stringLikeRegexp('approvers'),
    });
    // The SCP exempts the endpoint's role by this ARN.
    template.hasOutput('OwnerActionRoleArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuReaperOwnerActionsEndpointRole'), 'Arn'] },
    });
    // Created for the approvers to attach: attached to no role of the stack.
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: Match.absent(), Groups: Match.absent() });
  });

  it('has no unacknowledged cdk-nag finding, and no error or warning at all', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('is cfn-lint clean', () => {
    expect(cfnLint(template)).toBe('');
  });
});

describe('the approvers policy', () => {
  it('covers each configured region', () => {
    const { template } = synthStack({ bundle: false, config: { ...GATING, regions: ['us-east-1', 'eu-west-1'] } });
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    const text = JSON.stringify(policy?.Properties.PolicyDocument);
    expect(text).toContain(':ec2:us-east-1:');
    expect(text).toContain(':ec2:eu-west-1:');
  });

  it('names the approval key of the configured tag prefix', () => {
    const { template } = synthStack({ bundle: false, config: { ...GATING, tagPrefix: 'reaper/' } });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Condition: Match.objectLike({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['reaper/approved-until'] } }),
          }),
        ]),
      },
    });
  });
});

describe('a hub (accounts set) with gating', () => {
  it('has no launch trigger on its own bus: launches come from the spokes to the launch bus, which wakes a target', () => {
    const { hubTemplate } = synthHub({ config: { ...HUB_CONFIG, ...GATING } });
    const rules = Object.values(hubTemplate.findResources('AWS::Events::Rule', { Properties: LAUNCH_RULE }));
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.EventBusName).toBeDefined();
  });
});

describe('the approvers of gating', () => {
  it("are each subscribed to the owners' topic for the approvers' copy only", () => {
    const { template } = synthStack({ bundle: false, config: GATING });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ml-leads@example.com',
      FilterPolicy: { audience: ['approvers'] },
    });
  });
});
