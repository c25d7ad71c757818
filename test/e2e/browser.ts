/**
 * The browser the screenshot test drives, or why there is none: `CHROMIUM_PATH`, else a system Chromium or Chrome.
 * Never a downloaded one (`scripts/setup-chromium.mjs` installs Debian's as root during `npm test`).
 */
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser found, or the reason the test must skip, in words to print. */
type BrowserLookup = { readonly path: string } | { readonly missing: string };

/** Looks for a browser; a `CHROMIUM_PATH` that does not exist is said as such, not silently passed over. */
function findBrowser(env: NodeJS.ProcessEnv = process.env): BrowserLookup {
  const wanted = env.CHROMIUM_PATH;
  if (wanted) return existsSync(wanted) ? { path: wanted } : { missing: `CHROMIUM_PATH=${wanted} does not exist` };
  const path = CANDIDATES.find((candidate) => existsSync(candidate));
  if (path) return { path };
  return {
    missing:
      `no Chromium at ${CANDIDATES.join(', ')}: install one (as root, npm test runs ` +
      '`apt-get install chromium`) or set CHROMIUM_PATH',
  };
}

export type { BrowserLookup };
export { findBrowser };
