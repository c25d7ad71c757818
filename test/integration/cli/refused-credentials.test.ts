/**
 * Credentials refused, and names AWS does not have, through the real `gpu-reaper` bin. Against an endpoint that
 * checks credentials, every verb exits 3 with one line that says so, whatever the service and whatever the page it
 * answered with (EC2's XML, an HTML page where DynamoDB's or CloudWatch's JSON was due). A region AWS does not have,
 * in the config or a `--region`, and a `--topic` that is not a topic ARN, are bad usage (exit 2) refused before any
 * call, never an error page read as a reply.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localAwsEnv } from '../../../shared/local/moto-server';
import { type CliRun, runCli } from '../../helpers/cli';
import {
  AUTH_FAILURE_XML,
  type FixedAnswer,
  FORBIDDEN_HTML,
  type StandInEndpoint,
  startStandIn,
} from '../../helpers/stand-in-endpoint';

const dir = mkdtempSync(join(tmpdir(), 'gpu-reaper-refused-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let answer: FixedAnswer = { status: 401, body: AUTH_FAILURE_XML };
let endpoint: StandInEndpoint;
beforeAll(async () => {
  endpoint = await startStandIn(() => answer);
});
afterAll(() => endpoint.close());

const cli = (args: readonly string[]) => runCli(args, { ...process.env, ...localAwsEnv(endpoint.url) });

/** One line on stderr, in the command's voice, and nothing that reads like a parser's complaint. */
function oneLine(result: CliRun): string {
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^gpu-reaper: /);
  expect(lines[0]).not.toMatch(/SyntaxError|Unexpected token|parse error|Deserialization|\$response|\n\s+at /);
  return lines[0]!;
}

describe('credentials refused', () => {
  const writeConfig = (name: string, document: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(document));
    return path;
  };

  const verbs: [string, readonly string[], string][] = [
    ['plan (EC2)', ['plan', '--region', 'us-east-1'], 'DescribeInstances'],
    ['plan --json (EC2)', ['plan', '--json', '--region', 'us-east-1', '--region', 'eu-west-1'], 'DescribeInstances'],
    ['run (its DynamoDB table)', ['run', '--region', 'us-east-1', '--table', 'gpu-reaper-audit'], 'BatchGetItem'],
    ['report (DynamoDB)', ['report', '--table', 'gpu-reaper-audit', '--region', 'us-east-1'], 'Query'],
    ['backtest (CloudWatch)', ['backtest', '--days', '1', '--region', 'us-east-1'], 'ListMetrics'],
  ];

  describe.each([
    ['EC2’s XML AuthFailure (HTTP 401)', { status: 401, body: AUTH_FAILURE_XML }],
    ['an HTML page (HTTP 403)', { status: 403, body: FORBIDDEN_HTML, contentType: 'text/html' }],
  ] as const)('answered with %s', (_label, refusal) => {
    afterEach(() => {
      answer = { status: 401, body: AUTH_FAILURE_XML };
    });

    it.each(verbs)('%s exits 3 with one line that says so', async (_verb, args, operation) => {
      answer = refusal;
      const result = await cli(args);
      expect(result.code).toBe(3);
      const line = oneLine(result);
      expect(line).toContain(operation);
      expect(line).toContain('credentials refused');
    });
  });

  it('plan with an audit table stops at the table, exit 3, before any region is read', async () => {
    answer = { status: 403, body: AUTH_FAILURE_XML };
    const config = writeConfig('table.json', { auditTable: 'gpu-reaper-audit' });
    const result = await cli(['plan', '--config', config, '--region', 'us-east-1']);
    expect(result.code).toBe(3);
    expect(oneLine(result)).toMatch(/^gpu-reaper: BatchGetItem \(us-east-1\): credentials refused \(HTTP 403/);
  });

  it('with many accounts, AssumeRole refused for every target exits 3 naming each account', async () => {
    answer = { status: 403, body: AUTH_FAILURE_XML };
    const config = writeConfig('accounts.json', { accounts: { ids: ['111111111111', '222222222222'] } });
    const result = await cli(['plan', '--config', config, '--region', 'us-east-1']);
    expect(result.code).toBe(3);
    const line = oneLine(result);
    expect(line).toMatch(/^gpu-reaper: no target could be scanned: /);
    for (const account of ['111111111111', '222222222222']) expect(line).toContain(`account ${account}`);
    expect(line).toContain('credentials refused');
  });
});

describe('a region AWS does not have', () => {
  const requestsBefore = () => endpoint.requests.length;

  it.each([
    ['plan', ['plan', '--region', 'us-east-1', '--region', 'us-east-9']],
    ['run', ['run', '--region', 'us-east-9', '--table', 'gpu-reaper-audit']],
    ['backtest', ['backtest', '--days', '1', '--region', 'us-east-9']],
    ['report', ['report', '--table', 'gpu-reaper-audit', '--region', 'us-east-9']],
  ])('as --region of %s: exit 2 naming it, before any call', async (_verb, args) => {
    const before = requestsBefore();
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe(
      'gpu-reaper: --region must be an AWS region name such as us-east-1, got "us-east-9" (did you mean "us-east-1"?)',
    );
    expect(endpoint.requests.length).toBe(before);
  });

  it('spelled without its dashes: exit 2 with the region it was meant to be', async () => {
    const result = await cli(['plan', '--region', 'useast1']);
    expect(result.code).toBe(2);
    expect(oneLine(result)).toContain('got "useast1" (did you mean "us-east-1"?)');
  });

  it('in the config: exit 2 naming the key path, the value and the nearest region', async () => {
    const path = join(dir, 'regions.json');
    writeFileSync(path, JSON.stringify({ regions: ['eu-west-1', 'us-east-9'] }));
    const before = requestsBefore();
    const result = await cli(['plan', '--config', path]);
    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe(
      `gpu-reaper: invalid config in ${path}: regions[1]: must be an AWS region name ` +
        '(got "us-east-9"; did you mean "us-east-1"?)',
    );
    expect(endpoint.requests.length).toBe(before);
  });
});

describe('run --topic', () => {
  it('that is not an SNS topic ARN: exit 2 naming --topic, before any call', async () => {
    const before = endpoint.requests.length;
    const result = await cli(['run', '--region', 'us-east-1', '--table', 'gpu-reaper-audit', '--topic', 'my-topic']);
    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe(
      'gpu-reaper: --topic must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:gpu-reaper, ' +
        'got "my-topic"',
    );
    expect(endpoint.requests.length).toBe(before);
  });
});

describe('tagPrefix "aws:"', () => {
  it('is refused: exit 2 naming the key path', async () => {
    const path = join(dir, 'prefix.json');
    writeFileSync(path, JSON.stringify({ tagPrefix: 'aws:reaper:' }));
    const result = await cli(['plan', '--config', path, '--region', 'us-east-1']);
    expect(result.code).toBe(2);
    expect(oneLine(result)).toBe(
      `gpu-reaper: invalid config in ${path}: tagPrefix: must not start with "aws:", in any case: ` +
        'EC2 reserves those tag keys (got "aws:reaper:")',
    );
  });
});
