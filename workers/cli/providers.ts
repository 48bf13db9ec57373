import type { ProviderPolicy } from '../../schemas/provider.ts';
import type { Recipe } from '../../schemas/recipe.ts';

type Endpoints = ProviderPolicy['endpoints'];

/**
 * `--provider <name>=<url>[,key=<ENV>]` flags: model endpoints the user declares for the local stack
 * (a recipe may name one by `endpoint`, or use its URL), each with the environment variable that holds
 * its API key, when it has one.
 */
export function parseProviderFlags(flags: readonly string[] = []): Endpoints {
  const out: Endpoints = {};
  for (const flag of flags) {
    const m = /^([^=,\s]+)=([^,\s]+)(?:,key=([A-Za-z_][A-Za-z0-9_]*))?$/.exec(flag);
    if (!m) throw new Error(`--provider takes <name>=<url>[,key=<ENV VAR>], got "${flag}"`);
    const [, name, baseUrl, key] = m;
    if (!/^https?:\/\//.test(baseUrl))
      throw new Error(`--provider ${name}: the URL must be http(s), got "${baseUrl}"`);
    out[name] = { baseUrl, ...(key ? { apiKeySecret: key } : {}) };
  }
  return out;
}

/**
 * The endpoints a recipe's own providers call by URL: on the user's machine, running their own
 * recipe is declaring them (each with the secret it names, and only that one).
 */
export function recipeEndpoints(recipe: Recipe): Endpoints {
  const out: Endpoints = {};
  for (const [name, p] of Object.entries(recipe.providers)) {
    if (p.kind !== 'openai' || !p.baseUrl) continue;
    out[name] = { baseUrl: p.baseUrl, ...(p.apiKeySecret ? { apiKeySecret: p.apiKeySecret } : {}) };
  }
  return out;
}

/**
 * The local stack's vars for these endpoints: the operator policy `PROVIDERS`, and in `PROVIDER_KEYS`
 * the value of each declared secret from this process's environment. Nothing else from the
 * environment is passed.
 */
export function providerVars(endpoints: Endpoints): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [name, e] of Object.entries(endpoints)) {
    if (!e.apiKeySecret) continue;
    if (e.apiKeySecret === 'API_TOKEN')
      throw new Error(`provider "${name}": API_TOKEN is never sent to a model endpoint`);
    const value = process.env[e.apiKeySecret];
    if (value === undefined)
      throw new Error(`provider "${name}" reads its API key from $${e.apiKeySecret}, which is not set`);
    keys[e.apiKeySecret] = value;
  }
  const vars: Record<string, string> = {};
  if (Object.keys(endpoints).length > 0) vars.PROVIDERS = JSON.stringify({ endpoints, allowHosts: [] });
  if (Object.keys(keys).length > 0) vars.PROVIDER_KEYS = JSON.stringify(keys);
  return vars;
}
