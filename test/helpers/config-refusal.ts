/**
 * The problems of a config document the schema refuses, as the `path: message` lines people read.
 */
import { expect } from 'vitest';
import { parseConfig } from '../../shared/config';
import { ConfigError } from '../../shared/errors';

/** The `path: message` lines of a refused document; fails the test when the document is accepted. */
function configRefusal(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error(`accepted: ${JSON.stringify(raw)}`);
}

/** The `path: message` lines of a document: none when the schema accepts it. */
function configProblems(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

export { configProblems, configRefusal };
