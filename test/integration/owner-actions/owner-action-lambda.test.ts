/**
 * The owner-action Lambda as its Function URL invokes it (a `LambdaFunctionURLEvent`), against moto: configured from
 * its environment alone, it answers a link's GET with the confirmation page and the page's POST (a form body,
 * base64-encoded as Function URLs send it) by keeping the instance.
 */
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvName } from '../../../shared/config';
import { launchInstances, minutes, putGpuSeries } from '../../helpers/fleet';
import { useMoto } from '../../helpers/moto';
import { ownerFixture } from './owner-fixture';

const moto = useMoto({ threaded: false });
const MIN = 60_000;

function urlEvent(method: 'GET' | 'POST', url: string, body?: string): LambdaFunctionURLEvent {
  const { search } = new URL(url);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: method === 'GET' ? search.slice(1) : '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requestContext: { http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } },
    isBase64Encoded: body !== undefined,
    ...(body !== undefined ? { body: Buffer.from(body).toString('base64') } : {}),
  } as unknown as LambdaFunctionURLEvent;
}

describe('the owner-action Lambda', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('shows the page on GET and keeps the instance on the form POST', async () => {
    const fx = await ownerFixture(moto.region);
    try {
      const launch = Math.floor(Date.now() / MIN) * MIN;
      const [id] = await launchInstances(fx.ec2, { instanceType: 'g5.xlarge', tags: { Owner: 'dana@example.com' } });
      await putGpuSeries(fx.cloudwatch, id!, minutes(launch, 120, 1));
      await fx.pass(new Date(launch + 40 * MIN + 30_000));
      const url = await fx.linkOf(id!, 'keep:24h');
      Object.assign(process.env, {
        [EnvName.Config]: JSON.stringify(fx.config),
        [EnvName.Table]: fx.table,
        [EnvName.TopicArn]: fx.topicArn,
        [EnvName.LinkKeyId]: fx.keyId,
        AWS_REGION: moto.region,
      });
      const { handler } = await import('../../../functions/owner-action');
      const context = {
        awsRequestId: 'r-1',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:owner',
      };

      const page = (await handler(urlEvent('GET', url), context as never)) as APIGatewayProxyStructuredResultV2;
      expect(page.statusCode).toBe(200);
      expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain(`Keep ${id} for 24h?`);
      expect((await fx.audit.byInstance(id!)).map((i) => i.event)).toEqual(['WARNED']);

      const token = new URL(url).searchParams.get('t')!;
      const post = urlEvent('POST', url, new URLSearchParams({ t: token }).toString());
      const done = (await handler(post, context as never)) as APIGatewayProxyStructuredResultV2;
      expect(done.statusCode).toBe(200);
      expect(done.body).toContain('Kept until');
      const events = (await fx.audit.byInstance(id!)).map((i) => `${i.event}:${i.by}`);
      expect(events.sort()).toEqual(['CLEARED:owner', 'SNOOZED:owner', 'WARNED:reaper']);
    } finally {
      await fx.server.stop();
    }
  });
});
