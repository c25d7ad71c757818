/**
 * The owner-action endpoint and the chat in the synthesized template: a Function URL with the token as its only
 * authentication and reserved concurrency, the KMS HMAC key, the reaper signing links with it, the chat topic, the
 * Slack channel narrowed to the Keep button; cdk-nag with zero unacknowledged findings and cfn-lint clean.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EnvName } from '../../shared/config';
import { resolvePython } from '../../shared/local/python-tools.mjs';
import { synthStack } from './synth-stack';

const SLACK = { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' };

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }>;

/** The one resource of `type` whose logical id starts with `prefix`. */
function only(template: Template, type: string, prefix: string) {
  const found = Object.entries(template.findResources(type) as Resources).filter(([id]) => id.startsWith(prefix));
  expect(found, `${type} ${prefix}`).toHaveLength(1);
  return { id: found[0]![0], ...found[0]![1] };
}

/** The statements of the policy attached to a role, by the role's logical id prefix. */
function statementsOf(template: Template, rolePrefix: string): Array<Record<string, unknown>> {
  const policy = only(template, 'AWS::IAM::Policy', `${rolePrefix}DefaultPolicy`);
  return (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
}

const actionsOf = (statements: Array<Record<string, unknown>>) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]) as string[]);

function cfnLint(template: Template): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-reaper-owner-lint-'));
  try {
    const file = join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template.toJSON(), null, 2));
    const lint = spawnSync(
      resolvePython(),
      ['-c', 'import sys; from cfnlint.runner import main; sys.exit(main())', file],
      { encoding: 'utf8' },
    );
    return `${lint.stdout}${lint.stderr}${lint.status === 0 ? '' : `exit ${lint.status}`}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the owner-action endpoint (on by default)', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synthStack({ bundle: false }));
  });

  it('answers on a Function URL whose only authentication is the token, reserving no concurrency by default', () => {
    const url = only(template, 'AWS::Lambda::Url', 'GpuReaperOwnerActions');
    expect(url.Properties).toMatchObject({ AuthType: 'NONE', InvokeMode: 'BUFFERED' });
    const fn = only(template, 'AWS::Lambda::Function', 'GpuReaperOwnerActionsEndpoint');
    // Opt-in (ownerActionConcurrency): an account at the new-account quota of 10 can reserve none.
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(Object.keys((fn.Properties.Environment as { Variables: object }).Variables)).toEqual(
      expect.arrayContaining([EnvName.Config, EnvName.Table, EnvName.TopicArn, EnvName.LinkKeyId]),
    );
  });

  it('signs with a KMS HMAC_256 key for GenerateMac/VerifyMac, deleted with the stack after 7 days', () => {
    const key = only(template, 'AWS::KMS::Key', 'GpuReaperOwnerActionsLinkKey');
    expect(key.Properties).toMatchObject({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
      PendingWindowInDays: 7,
    });
    expect(key.DeletionPolicy).toBe('Delete');
  });

  it('gives the reaper the key id and the Function URL, and only kms:GenerateMac on the key', () => {
    const reaper = only(template, 'AWS::Lambda::Function', 'GpuReaperFunction');
    const env = (reaper.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env[EnvName.LinkKeyId]).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^GpuReaperOwnerActionsLinkKey/), 'Arn'],
    });
    expect(env[EnvName.OwnerActionUrl]).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^GpuReaperOwnerActionsEndpointFunctionFunctionUrl/), 'FunctionUrl'],
    });
    const kmsActions = actionsOf(statementsOf(template, 'GpuReaperRole')).filter((a) => a.endsWith('Mac'));
    expect(kmsActions).toEqual(['kms:GenerateMac']);
  });

  it('lets the endpoint verify, never generate, a MAC; and never terminate, scan or query', () => {
    const actions = actionsOf(statementsOf(template, 'GpuReaperOwnerActionsEndpointRole'));
    expect(actions.filter((a) => a.endsWith('Mac'))).toEqual(['kms:VerifyMac']);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).not.toContain('dynamodb:Query');
    // Dry run (the default): not even a stop grant; terminate appears only in the opt-out deny.
    const allows = statementsOf(template, 'GpuReaperOwnerActionsEndpointRole').filter((s) => s.Effect === 'Allow');
    expect(actionsOf(allows)).not.toContain('ec2:StopInstances');
    expect(actionsOf(allows)).not.toContain('ec2:TerminateInstances');
  });

  it('creates no chat topic when notifications.chat is null', () => {
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    const reaper = only(template, 'AWS::Lambda::Function', 'GpuReaperFunction');
    expect((reaper.Properties.Environment as { Variables: object }).Variables).not.toHaveProperty(EnvName.ChatTopicArn);
  });
});

describe('with ownerActions: false', () => {
  it('has no endpoint, no HMAC key, and the reaper no link settings', () => {
    const { template } = synthStack({ bundle: false, reaper: { ownerActions: false } });
    template.resourceCountIs('AWS::Lambda::Url', 0);
    template.resourcePropertiesCountIs('AWS::KMS::Key', { KeySpec: 'HMAC_256' }, 0);
    const reaper = only(template, 'AWS::Lambda::Function', 'GpuReaperFunction');
    const env = (reaper.Properties.Environment as { Variables: object }).Variables;
    expect(env).not.toHaveProperty(EnvName.LinkKeyId);
    expect(env).not.toHaveProperty(EnvName.OwnerActionUrl);
  });
});

describe('with notifications.chat: {} (the topic only)', () => {
  it('adds an encrypted chat topic the reaper and the endpoint publish to, and no Slack channel', () => {
    const { template } = synthStack({ bundle: false, config: { notifications: { chat: {} } } });
    const topic = only(template, 'AWS::SNS::Topic', 'GpuReaperChatTopic');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    template.resourceCountIs('AWS::Chatbot::CustomAction', 0);
    for (const prefix of ['GpuReaperFunction', 'GpuReaperOwnerActionsEndpoint']) {
      const fn = only(template, 'AWS::Lambda::Function', prefix);
      expect((fn.Properties.Environment as { Variables: object }).Variables).toHaveProperty(EnvName.ChatTopicArn, {
        Ref: topic.id,
      });
    }
  });
});

describe('with notifications.chat naming a Slack workspace and channel, in enforce mode', () => {
  let stack: ReturnType<typeof synthStack>['stack'];
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synthStack({ bundle: false, config: { mode: 'enforce', notifications: { chat: SLACK } } }));
  });

  it('subscribes the Slack channel to the chat topic, with the Keep button and a guardrail', () => {
    const channel = only(template, 'AWS::Chatbot::SlackChannelConfiguration', 'GpuReaperChatSlackChannel');
    const topic = only(template, 'AWS::SNS::Topic', 'GpuReaperChatTopic');
    const action = only(template, 'AWS::Chatbot::CustomAction', 'GpuReaperChatKeepAction');
    expect(channel.Properties).toMatchObject({
      SlackWorkspaceId: SLACK.slackWorkspaceId,
      SlackChannelId: SLACK.slackChannelId,
      SnsTopicArns: [{ Ref: topic.id }],
      UserRoleRequired: false,
      CustomizationResourceArns: [{ 'Fn::GetAtt': [action.id, 'CustomActionArn'] }],
      GuardrailPolicies: [{ Ref: expect.stringMatching(/^GpuReaperChatGuardrail/) }],
    });
  });

  it('shows "Keep 4h" on notifications with a keep token, and invokes the endpoint with that token', () => {
    const action = only(template, 'AWS::Chatbot::CustomAction', 'GpuReaperChatKeepAction');
    expect(action.Properties.Attachments).toEqual([
      {
        NotificationType: 'Custom',
        ButtonText: 'Keep 4h',
        Criteria: [{ Operator: 'HAS_VALUE', VariableName: 'keepToken' }],
        Variables: { keepToken: 'event.metadata.additionalContext.keepToken' },
      },
    ]);
    const command = JSON.stringify(action.Properties.Definition);
    expect(command).toContain('lambda invoke --function-name ');
    expect(command).toMatch(/GpuReaperOwnerActionsEndpointFunction/);
    expect(command).toContain('--payload {\\"keepToken\\": \\"$keepToken\\"}');
  });

  it('lets the channel invoke the endpoint function and nothing else', () => {
    const statements = statementsOf(template, 'GpuReaperChatChannelRole');
    expect(statements).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GpuReaperOwnerActionsEndpointFunction/), 'Arn'] },
      },
    ]);
    const guardrail = only(template, 'AWS::IAM::ManagedPolicy', 'GpuReaperChatGuardrail');
    expect((guardrail.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual(statements);
  });

  it('has no unacknowledged cdk-nag finding, no warning, and is cfn-lint clean', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
    expect(cfnLint(template)).toBe('');
  });
});
