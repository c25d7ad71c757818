/**
 * What every Lambda entry reads from its environment: the config, validated once per cold start, and the variables
 * it cannot run without. A bad config fails every invocation fast, with the key path in the log.
 */
import { EnvName } from './env-names';
import { loadConfigText } from './load';
import type { Config } from './schema';

let cached: Config | undefined;

/**
 * The config in `GPU_REAPER_CONFIG`, parsed at the first invocation of a container and kept for the next ones.
 *
 * @param onInvalid told the problem (every bad key path) before the error is thrown
 * @throws ConfigError when the config does not validate
 */
function configFromEnvironment(onInvalid: (message: string) => void): Config {
  try {
    cached ??= loadConfigText(process.env[EnvName.Config], EnvName.Config);
    return cached;
  } catch (error) {
    onInvalid((error as Error).message);
    throw error;
  }
}

/**
 * A value the function cannot run without: the variable `name`, or the `value` given for it.
 *
 * @throws Error naming what is missing
 * @example requiredEnv('AWS_REGION') // 'us-east-1'
 */
function requiredEnv(name: string, value: string | null | undefined = process.env[name]): string {
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export { configFromEnvironment, requiredEnv };
