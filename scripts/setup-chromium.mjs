#!/usr/bin/env node
// Installs Debian's Chromium for the HTML report's screenshot test (test/e2e) when no browser is there. Only as root,
// only with apt-get, and never with GPU_REAPER_NO_APT=1: the test never downloads a browser of its own. Otherwise it
// says what to run and exits 0 so that `npm test` goes on (the screenshot test then skips, saying why).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where the screenshot test looks for a browser (test/e2e/browser.ts): `CHROMIUM_PATH`, then these. */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const found = [process.env.CHROMIUM_PATH, ...CANDIDATES].find((path) => path && existsSync(path));
if (found) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
const hint = 'install one (sudo apt-get install -y chromium) or set CHROMIUM_PATH; the screenshot test is skipped';
if (process.env.GPU_REAPER_NO_APT === '1' || !isRoot || !hasApt) {
  console.error(`gpu-reaper: no Chromium found (${CANDIDATES[0]}): ${hint}`);
  process.exit(0);
}

console.error('gpu-reaper: installing chromium with apt-get as root, for the HTML report screenshot test');
console.error('gpu-reaper: (set GPU_REAPER_NO_APT=1 to never do this; the test is then skipped)');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
if (!run(['update', '-qq']) || !run(['install', '-y', '-qq', '--no-install-recommends', 'chromium'])) {
  // Not fatal: the screenshot test skips with a message, everything else still runs.
  console.error('gpu-reaper: apt-get could not install chromium; the screenshot test will be skipped');
  process.exit(0);
}
