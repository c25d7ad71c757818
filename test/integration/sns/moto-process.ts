/**
 * A moto server for the SNS integration tests alone. No shared launcher (test/helpers/moto.ts) existed when these
 * tests were written; once it does, these tests can switch to it and this file can go.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A running moto server: its endpoint, and how to stop it. */
interface MotoServer {
  readonly endpoint: string;
  stop(): void;
}

function freePort(): Promise<number> {
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

async function waitUntilAnswering(moto: ChildProcess, endpoint: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (moto.exitCode !== null) throw new Error(`moto exited with code ${moto.exitCode}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) return;
    } catch {
      // Not listening yet: keep polling until the deadline.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`moto did not answer at ${endpoint}`);
}

/** Starts `python3 -m moto.server` on a free local port and waits until it answers. */
async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const moto = spawn(process.env.PYTHON ?? 'python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(moto, endpoint);
  } catch (error) {
    moto.kill('SIGTERM');
    throw error;
  }
  return { endpoint, stop: () => moto.kill('SIGTERM') };
}

export type { MotoServer };
export { startMoto };
