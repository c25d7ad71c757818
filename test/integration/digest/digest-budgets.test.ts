/**
 * The weekly digest Lambda with budgets on, against moto: it reads the month's team totals from the state table
 * (the ledger the passes keep) and mails each team's spend, budget and share; with budgets off it says nothing of
 * them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientOptions } from '../../../shared/adapters/aws/clients';
import { createAuditTable } from '../../../shared/adapters/dynamodb/audit-table-setup';
import { DynamoBudgetLedger } from '../../../shared/adapters/dynamodb/budget-ledger';
import { EnvName } from '../../../shared/config';
import { useMoto } from '../../helpers/moto';

const moto = useMoto({ threaded: false });
/** Monday 08:00 UTC: the digest's week ends in December 2026. */
const NOW = new Date('2026-12-07T08:00:00.000Z');
const BUDGETS = { tag: 'Team', monthlyUsd: { research: 20_000, vision: 5_000, '*': 1_000 }, warnAt: 0.8 };

/** A table whose ledger holds December's totals (and one of November), an admin topic and a queue on it. */
async function fixture() {
  const options = clientOptions(moto.region);
  const sns = new SNSClient(options);
  const sqs = new SQSClient(options);
  const table = `digest-budgets-${Date.now()}`;
  await createAuditTable(new DynamoDBClient(options), table);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${table}-admins` }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: table }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));

  const ledger = new DynamoBudgetLedger(DynamoDBDocumentClient.from(new DynamoDBClient(options)), table);
  const entry = (instanceId: string, team: string, usd: number, countedTo: string) => ({
    instanceId,
    team,
    previous: null,
    countedTo,
    minutes: 5,
    usd,
  });
  await ledger.add([entry('i-0a', 'research', 16_040.12, '2026-12-06T00:00:00.000Z')], '2026-12');
  await ledger.add([entry('i-0b', 'robotics', 1_500, '2026-12-06T00:00:00.000Z')], '2026-12');
  // Last month's spend belongs to last month: never in December's digest.
  await ledger.add([entry('i-0c', 'vision', 4_900, '2026-11-30T00:00:00.000Z')], '2026-11');

  const receive = async () => {
    const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    return (answer.Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>);
  };
  return { table, topicArn: TopicArn!, receive };
}

describe('the weekly digest with budgets', () => {
  let saved: NodeJS.ProcessEnv = {};
  beforeEach(() => {
    saved = { ...process.env };
    vi.resetModules();
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  async function digest(config: object) {
    const fx = await fixture();
    Object.assign(process.env, {
      [EnvName.Config]: JSON.stringify(config),
      [EnvName.Table]: fx.table,
      [EnvName.AdminTopicArn]: fx.topicArn,
      AWS_REGION: moto.region,
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { handler } = await import('../../../functions/digest');
    const summary = await handler({ time: NOW.toISOString() });
    const [message] = await fx.receive();
    return { summary, text: String(message?.Message) };
  }

  it("mails each team's spend of the month against its budget, over budget and past the warning said", async () => {
    const { summary, text } = await digest({ mode: 'enforce', budgets: BUDGETS });
    expect(summary).toMatchObject({ budgetTeams: 3 });
    expect(text).toContain(
      'Budgets this month: robotics $1,500.00 of $1,000.00 (150%, over budget: every run needs approval until the ' +
        'month ends); research $16,040.12 of $20,000.00 (80%, past the 80% warning); vision $0.00 of $5,000.00 (0%).\n',
    );
  });

  it('says nothing of budgets with budgets off', async () => {
    const { summary, text } = await digest({ mode: 'enforce' });
    expect(summary).not.toHaveProperty('budgetTeams');
    expect(text).not.toContain('Budgets');
  });
});
