/**
 * The config of one target: the base config with the overrides of its OUs (outer to inner), then its account's,
 * deep-merged over it and validated again (each override was already validated over the base at load; a combination
 * of several is checked here).
 */
import { type Config, parseConfig } from '../../config';
import { mergeOverride } from '../../config/overrides';
import type { Target } from './target';

/**
 * The effective config of `target`; the base config itself when no override applies (or `accounts` is `null`).
 *
 * @throws ConfigError when the overrides that apply, together, do not validate
 * @example targetConfig(config, { accountId: '111111111111', region: 'us-east-1', ouPath: ['ou-ab12-34cd56ef'] }).mode
 */
function targetConfig(config: Config, target: Pick<Target, 'accountId' | 'ouPath'>): Config {
  const accounts = config.accounts;
  if (!accounts) return config;
  const layers = [...target.ouPath, target.accountId].flatMap((key) => {
    const layer = accounts.overrides[key];
    return layer ? [layer] : [];
  });
  if (layers.length === 0) return config;
  const { accounts: _hub, ...base } = config;
  const merged = layers.reduce<Record<string, unknown>>((doc, layer) => mergeOverride(doc, layer), base);
  return { ...parseConfig(merged, `accounts.overrides for ${target.accountId}`), accounts };
}

export { targetConfig };
