/**
 * docs/configuration.md against the schema: every key path of the default config is documented with its default,
 * and the page documents no key the schema lacks. A key added to the schema fails here until it has its row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config';

const PAGE = 'docs/configuration.md';
const page = readFileSync(join(__dirname, '..', '..', '..', PAGE), 'utf8');

/** Every leaf of the default config as `key.path → default`; records and lists are leaves (`{}`, `[]`). */
function keyPaths(value: unknown, prefix = ''): Map<string, unknown> {
  const isBranch = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length;
  if (!isBranch) return new Map([[prefix, value]]);
  const paths = new Map<string, unknown>();
  for (const [key, child] of Object.entries(value)) {
    for (const [path, leaf] of keyPaths(child, prefix ? `${prefix}.${key}` : key)) paths.set(path, leaf);
  }
  return paths;
}

/** The rows of the page's `| key | default | meaning |` tables: key path → default as written (backticks off). */
function documentedKeys(markdown: string): Map<string, string> {
  const rows = new Map<string, string>();
  let inTable = false;
  for (const line of markdown.split('\n')) {
    const cells = line.startsWith('|')
      ? line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim())
      : null;
    if (cells === null) inTable = false;
    else if (cells[0] === 'key' && cells[1] === 'default') inTable = true;
    else if (inTable && !/^-+$/.test(cells[0] ?? '')) {
      rows.set((cells[0] ?? '').replace(/`/g, ''), (cells[1] ?? '').replace(/^`|`$/g, ''));
    }
  }
  return rows;
}

const defaults = keyPaths(parseConfig({}));
const documented = documentedKeys(page);
const rendered = (value: unknown) => JSON.stringify(value);
const section = (path: string) => path.split('.')[0];

describe(PAGE, () => {
  it('finds the schema keys and the documented rows it compares', () => {
    expect(defaults.size).toBeGreaterThan(30);
    expect(documented.size).toBeGreaterThan(30);
  });

  it.each([...defaults].map(([path, value]) => ({ path, value })))(
    'documents $path with its default',
    ({ path, value }) => {
      const row = `| \`${path}\` | \`${rendered(value)}\` | <what it does> |`;
      if (!documented.has(path)) {
        expect.fail(
          `config key ${path} (default ${rendered(value)}) is not documented: add the row ${row} to a ` +
            `"| key | default | meaning |" table of ${PAGE} (beside the other ${section(path)} keys)`,
        );
      }
      expect(documented.get(path), `${PAGE}: the default of ${path} is ${rendered(value)}; write ${row}`).toBe(
        rendered(value),
      );
    },
  );

  it('documents no key the schema lacks', () => {
    const unknown = [...documented.keys()].filter((path) => !defaults.has(path));
    expect(
      unknown,
      `${PAGE} documents keys the config schema (shared/config/schema.ts) does not have: remove or rename their rows`,
    ).toEqual([]);
  });
});
