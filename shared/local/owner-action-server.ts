/**
 * The owner-action endpoint on loopback (node:http): the very handler the Lambda Function URL serves, for the demo
 * and the tests (moto stores a Function URL's configuration, but a request to it answers 500).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleOwnerRequest, type OwnerActionDeps } from '../owner-actions/handle-request';

/** A running loopback endpoint. */
interface OwnerActionServer {
  /** Its base URL (`http://127.0.0.1:<port>/`): what `notifications.links.baseUrl` names. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Largest body read; anything longer is cut (the handler then finds no token). */
const MAX_BODY = 16_384;

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 0 ? null : Buffer.concat(chunks).toString('utf8');
}

/**
 * Serves the owner-action handler on 127.0.0.1 (a free port unless `port` is given).
 *
 * @example const server = await startOwnerActionServer(deps); … await server.stop();
 */
async function startOwnerActionServer(deps: OwnerActionDeps, options: { port?: number } = {}) {
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = request.method === 'POST' ? await readBody(request) : null;
      const answer = await handleOwnerRequest({ method: request.method ?? 'GET', query: url.searchParams, body }, deps);
      response.writeHead(answer.status, answer.headers).end(answer.body);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const handle: OwnerActionServer = {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}

export type { OwnerActionServer };
export { startOwnerActionServer };
