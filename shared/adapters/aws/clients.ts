/**
 * Creating the SDK clients of one region with the project's retry and timeout settings. Endpoint and credentials
 * stay the SDK's own business: its standard chain, and `AWS_ENDPOINT_URL` to point every client at a local
 * endpoint (moto), which the SDK reads itself as long as no `endpoint` is passed here.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { CallCounter } from './call-counter';

/** Options shared by every client the project creates. */
interface ClientFactoryOptions {
  /**
   * Attempts per call, the first included; adaptive retry backs off on throttling and on network failures.
   * @default 5
   */
  readonly maxAttempts?: number;
  /**
   * How long to wait for a TCP connection, in ms.
   * @default 5000
   */
  readonly connectionTimeoutMs?: number;
  /**
   * How long one HTTP attempt may take before it fails (and is retried), in ms.
   * @default 30000
   */
  readonly requestTimeoutMs?: number;
  /** Counts every call the created clients make. @default no counting */
  readonly counter?: CallCounter;
  /**
   * Further middleware layers attached to every created client, after the counter (a fault injector in tests).
   * @default none
   */
  readonly layers?: readonly ClientLayer[];
}

/** Something that plugs into an SDK client's middleware stack, as {@link CallCounter} does. */
interface ClientLayer {
  attach(client: { readonly middlewareStack: unknown }): unknown;
}

/** The settings every client constructor takes, so SNS and DynamoDB clients can be built the same way. */
interface CommonClientConfig {
  readonly region: string;
  readonly retryMode: 'adaptive';
  readonly maxAttempts: number;
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly requestTimeout: number;
    /** Without it the SDK only logs a warning when `requestTimeout` passes and keeps waiting. */
    readonly throwOnRequestTimeout: true;
  };
}

/** The clients one region's pass needs. */
interface RegionClients {
  readonly ec2: EC2Client;
  readonly cloudwatch: CloudWatchClient;
}

/**
 * The config to pass to any SDK client constructor: region, adaptive retry, timeouts. No endpoint and no
 * credentials, on purpose: the SDK's chain and `AWS_ENDPOINT_URL` decide those.
 *
 * @example new SNSClient(clientOptions('eu-west-1'))
 */
function clientOptions(region: string, options: ClientFactoryOptions = {}): CommonClientConfig {
  return {
    region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * Creates the EC2 and CloudWatch clients of `region`, each with `options.counter` and `options.layers` attached.
 * `credentials` (a member account's assumed role) replaces the SDK's chain for these two clients only.
 *
 * @example const { ec2, cloudwatch } = createRegionClients('us-east-1', { counter });
 */
function createRegionClients(
  region: string,
  options: ClientFactoryOptions = {},
  credentials?: AwsCredentialIdentityProvider,
): RegionClients {
  const config = { ...clientOptions(region, options), ...(credentials ? { credentials } : {}) };
  const ec2 = new EC2Client(config);
  const cloudwatch = new CloudWatchClient(config);
  return { ec2: attachLayers(ec2, options), cloudwatch: attachLayers(cloudwatch, options) };
}

/**
 * Attaches `options.counter` and `options.layers` to a client created elsewhere (SNS, DynamoDB), so every client
 * of a pass carries the same layers.
 *
 * @example const sns = attachLayers(new SNSClient(clientOptions(region, options)), options);
 */
function attachLayers<C extends { readonly middlewareStack: unknown }>(client: C, options: ClientFactoryOptions): C {
  for (const layer of [options.counter, ...(options.layers ?? [])]) layer?.attach(client);
  return client;
}

export type { ClientFactoryOptions, ClientLayer, CommonClientConfig, RegionClients };
// CallCounter lives in its own file; re-exported here because callers create clients and counters together.
export { attachLayers, CallCounter, clientOptions, createRegionClients };
