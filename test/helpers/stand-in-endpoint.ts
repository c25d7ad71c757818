/**
 * A local HTTP endpoint that stands in for AWS (`AWS_ENDPOINT_URL`) and answers every request with the error page a
 * test chooses (credentials refused, a region that cannot be served). It reads each request's region and service
 * from its SigV4 signature, and keeps every request it saw.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the endpoint knows of one request. */
interface SeenRequest {
  /** From the signature's credential scope (`…/us-east-1/ec2/aws4_request`). */
  readonly region: string | undefined;
  readonly service: string | undefined;
}

/** An answer the endpoint gives in place of AWS's. */
interface FixedAnswer {
  readonly status: number;
  readonly body: string;
  /** @default text/xml */
  readonly contentType?: string;
}

/** Per request: the answer to give. */
type Answerer = (request: SeenRequest) => FixedAnswer;

/** A running stand-in. */
interface StandInEndpoint {
  readonly url: string;
  readonly requests: readonly SeenRequest[];
  close(): Promise<void>;
}

/** EC2's answer to a request signed with credentials it does not know. */
const AUTH_FAILURE_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>AuthFailure</Code>' +
  '<Message>AWS was not able to validate the provided access credentials</Message></Error></Errors>' +
  '<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>';

/** A proxy's or gateway's refusal: an HTML page where the service's own answer was due. */
const FORBIDDEN_HTML = '<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>';

const SCOPE = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

function seen(request: IncomingMessage): SeenRequest {
  const match = SCOPE.exec(String(request.headers.authorization ?? ''));
  return { region: match?.[1], service: match?.[2] };
}

/** Reads the request to its end (its body is not needed). */
async function drain(request: IncomingMessage): Promise<void> {
  for await (const _chunk of request) {
    // nothing to keep
  }
}

/**
 * Starts the stand-in on a free loopback port.
 *
 * @example const endpoint = await startStandIn(() => ({ status: 403, body: AUTH_FAILURE_XML }));
 */
async function startStandIn(answer: Answerer): Promise<StandInEndpoint> {
  const requests: SeenRequest[] = [];
  const server = createServer(async (request, response) => {
    await drain(request);
    const which = seen(request);
    requests.push(which);
    const fixed = answer(which);
    response.writeHead(fixed.status, { 'content-type': fixed.contentType ?? 'text/xml' }).end(fixed.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type { Answerer, FixedAnswer, SeenRequest, StandInEndpoint };
export { AUTH_FAILURE_XML, FORBIDDEN_HTML, startStandIn };
