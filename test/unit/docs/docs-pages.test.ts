/**
 * The docs/ pages: the README links each of them, their relative links lead to files that exist, and they state
 * the contract in the project's own words (they name no document outside the project).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');
const PAGES = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Relative link targets of a markdown text, without their `#anchor`. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => (match[1] ?? '').split('#')[0] ?? '')
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target));
}

describe('docs/', () => {
  it('has the reference pages', () => {
    expect(PAGES.sort()).toEqual(
      expect.arrayContaining([
        'configuration.md',
        'events.md',
        'exit-codes.md',
        'json-output.md',
        'rules.md',
        'tags.md',
      ]),
    );
  });

  it.each(PAGES)('is linked from the README: %s', (page) => {
    expect(read('README.md')).toContain(`(docs/${page}`);
  });

  it.each(['README.md', ...PAGES.map((page) => `docs/${page}`)])('links only to files that exist: %s', (path) => {
    const missing = relativeLinks(read(path)).filter((target) => !existsSync(join(ROOT, dirname(path), target)));
    expect(missing).toEqual([]);
  });

  it.each(['README.md', ...PAGES.map((page) => `docs/${page}`)])('names no outside contract document: %s', (path) => {
    expect(read(path)).not.toMatch(/\bSPEC\b/);
  });
});
