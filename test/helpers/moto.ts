/**
 * A moto server for one test file: started in `beforeAll`, stopped in `afterAll`, with the SDK pointed at it
 * through the environment (`AWS_ENDPOINT_URL`, dummy keys) and the previous environment restored afterwards.
 */
import { afterAll, beforeAll } from 'vitest';
import { localAwsEnv, type MotoServer, type MotoServerOptions, startMotoServer } from '../../shared/local/moto-server';

/** The running server of a test file; read its fields inside tests and hooks, not at collection time. */
interface MotoHandle {
  readonly endpoint: string;
  readonly region: string;
  /** Forgets every resource (`POST /moto-api/reset`). */
  reset(): Promise<void>;
}

/**
 * Starts moto for the current test file and sets the local AWS environment for its duration.
 *
 * @example
 * const moto = useMoto();
 * beforeEach(() => moto.reset());
 * it('scans', async () => { const { ec2 } = createRegionClients(moto.region); … });
 */
function useMoto(options: MotoServerOptions & { region?: string } = {}): MotoHandle {
  const region = options.region ?? 'us-east-1';
  let server: MotoServer | undefined;
  const saved = new Map<string, string | undefined>();

  beforeAll(async () => {
    server = await startMotoServer(options);
    for (const [name, value] of Object.entries(localAwsEnv(server.endpoint, region))) {
      saved.set(name, process.env[name]);
      process.env[name] = value;
    }
  });

  afterAll(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await server?.stop();
  });

  const running = () => {
    if (!server) throw new Error('moto is not running: use the handle inside tests or hooks');
    return server;
  };
  return {
    get endpoint() {
      return running().endpoint;
    },
    region,
    reset: () => running().reset(),
  };
}

export type { MotoHandle };
export { useMoto };
