#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// Installs Debian's Chromium for the HTML report's screenshot test (test/e2e) when it is missing. Only as root and
// only with apt-get: the test never downloads a browser of its own. Elsewhere it says what to run, and exits 0 so
// that `npm test` goes on (the screenshot test then skips with the same message).
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (existsSync(CHROMIUM)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(`gpu-reaper: ${CHROMIUM} is missing; install it with: sudo apt-get install -y chromium`);
  process.exit(0);
}

console.error('gpu-reaper: installing chromium with apt-get (for the HTML report screenshot test)');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
if (!run(['update', '-qq']) || !run(['install', '-y', '-qq', '--no-install-recommends', 'chromium'])) {
  // Not fatal: the screenshot test skips with a message, everything else still runs.
  console.error('gpu-reaper: apt-get could not install chromium; the screenshot test will be skipped');
  process.exit(0);
}
