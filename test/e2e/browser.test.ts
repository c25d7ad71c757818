/**
 * The screenshot test finds its browser or says why it skips: never a silent skip.
 */
import { describe, expect, it } from 'vitest';
import { findBrowser } from './browser';

describe('finding the browser of the screenshot test', () => {
  it('takes CHROMIUM_PATH when it exists', () => {
    expect(findBrowser({ CHROMIUM_PATH: process.execPath })).toEqual({ path: process.execPath });
  });

  it('says so when CHROMIUM_PATH names nothing, rather than looking elsewhere', () => {
    expect(findBrowser({ CHROMIUM_PATH: '/nope/chromium' })).toEqual({
      missing: 'CHROMIUM_PATH=/nope/chromium does not exist',
    });
  });

  it('either finds a system browser or names where it looked and how to get one', () => {
    const found = findBrowser({});
    if ('path' in found) expect(found.path).toMatch(/chrom/);
    else expect(found.missing).toMatch(/no Chromium at \/usr\/bin\/chromium.*apt-get install chromium.*CHROMIUM_PATH/);
  });
});
