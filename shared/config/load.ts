/**
 * Reading a config document from a file or an environment variable, then validating it through the one schema.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import { type Config, parseConfig } from './schema';

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ path: '', message: `not valid JSON (${(error as Error).message})` }], source);
  }
}

/**
 * Loads and validates the config file at `path`; no path gives the defaults.
 *
 * @throws ConfigError when the file is missing, is not JSON, or does not validate
 */
function loadConfigFile(path?: string): Config {
  if (!path) return parseConfig({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: '', message: `cannot read file (${(error as NodeJS.ErrnoException).code})` }], path);
  }
  return parseConfig(parseJson(text, path), path);
}

/** Validates a config passed as JSON text (the Lambda's environment variable); empty text gives the defaults. */
function loadConfigText(text: string | undefined, source: string): Config {
  if (!text?.trim()) return parseConfig({});
  return parseConfig(parseJson(text, source), source);
}

/** A short, stable fingerprint of the effective config, stored with every audit item. */
function configHash(config: Config): string {
  const canonical = JSON.stringify(config, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

export { configHash, loadConfigFile, loadConfigText };
