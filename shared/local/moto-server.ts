/**
 * A local moto server for the demo and the integration tests: started on a free loopback port, ready when it
 * answers, and never left behind. moto runs under a small Python bootstrap that exits as soon as its stdin (a pipe
 * from this process) closes, so even a parent killed with SIGKILL takes its server with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolvePython } from './python-tools.mjs';

/** A running moto server. */
interface MotoServer {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  readonly port: number;
  /** The server's process id (it leads its own process group). */
  readonly pid: number;
  /** Kills the server (and anything it started); resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Forgets every resource of every service (`POST /moto-api/reset`). */
  reset(): Promise<void>;
}

/** How to start moto. */
interface MotoServerOptions {
  /**
   * The Python that has moto installed.
   * @default `$PYTHON`, else the project's `.venv` (made by `npm run setup:python`), else `python3`
   */
  readonly python?: string;
  /**
   * Serve one request at a time. moto's threaded server does not make a conditional write atomic, so tests of
   * DynamoDB races want `false`; everything else is faster threaded.
   * @default true
   */
  readonly threaded?: boolean;
  /**
   * How long to wait for the server to answer, in ms.
   * @default 30000
   */
  readonly startTimeoutMs?: number;
}

/** The Python side: exit with the parent, then run moto's own WSGI app the way `moto.server` does. */
const BOOTSTRAP = `
import os, sys, threading
def exit_with_parent():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:
        pass
    os._exit(0)
threading.Thread(target=exit_with_parent, daemon=True).start()
host, port, threaded = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
os.environ.setdefault("MOTO_PORT", str(port))
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
run_simple(host, port, DomainDispatcherApplication(create_backend_app), threaded=threaded)
`;

/** Children still running, killed synchronously when this process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Detached: the child leads its own process group, so this reaches a pyenv shim's python too.
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function launch(command: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { detached: true, stdio: ['pipe', 'ignore', 'pipe'] });
  let tail = '';
  // moto logs every request on stderr: keep reading (a full pipe would block it) but remember only the end.
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000);
  });
  child.on('error', (error) => {
    tail += `\n${error.message}`;
  });
  // Neither the child nor its pipes keep this process alive; the exit hook and stdin EOF end the child.
  child.unref();
  for (const stream of [child.stdin, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return { child, output: () => tail.trim() };
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return false;
    try {
      if ((await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) })).ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  child.stdin?.destroy();
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts moto on a free loopback port and waits until it answers. Tries `python -c <bootstrap>` first, then the
 * `moto_server` command (which lacks the exit-with-parent guard, so only the exit hook protects it).
 *
 * @throws Error naming what failed and moto's last output, when no server answers in time
 * @example
 * const moto = await startMotoServer();
 * Object.assign(process.env, localAwsEnv(moto.endpoint));
 * // …
 * await moto.stop();
 */
async function startMotoServer(options: MotoServerOptions = {}): Promise<MotoServer> {
  installExitHook();
  const python = options.python ?? resolvePython();
  const threaded = options.threaded ?? true;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const failures: string[] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    // Two tries per launcher: a port taken between probe and bind makes the first exit early.
    const { child, output } =
      attempt < 2
        ? launch(python, ['-c', BOOTSTRAP, '127.0.0.1', String(port), threaded ? '1' : '0'])
        : launch('moto_server', ['-H', '127.0.0.1', '-p', String(port)]);
    if (await waitUntilAnswering(endpoint, child, timeoutMs)) {
      return {
        endpoint,
        port,
        pid: child.pid!,
        stop: () => stopChild(child),
        reset: async () => {
          const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
          if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
        },
      };
    }
    await stopChild(child);
    failures.push(`${child.spawnfile} on port ${port}: ${output().split('\n').slice(-3).join(' | ') || 'no output'}`);
  }
  throw new Error(
    `moto server did not start (is moto[server] installed? npm run setup:python): ${failures.join('; ')}`,
  );
}

/**
 * The environment that points the SDK at a local endpoint with dummy credentials: `AWS_ENDPOINT_URL`, keys
 * `testing`, the region, no instance-metadata lookups, and no request compression (moto 5.2 cannot read the
 * gzip bodies the SDK sends for large `PutMetricData` calls).
 *
 * @param region @default 'us-east-1'
 */
function localAwsEnv(endpoint: string, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DISABLE_REQUEST_COMPRESSION: 'true',
  };
}

export type { MotoServer, MotoServerOptions };
export { localAwsEnv, startMotoServer };
