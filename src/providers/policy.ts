import {
  type ProviderConfig,
  type ProviderPolicy,
  ProviderPolicySchema,
  type Providers,
  type ProvidersInput,
  ProvidersSchema,
} from '../../schemas/provider.ts';
import { type Issue, WinnowError, zodIssues } from '../errors.ts';

/** No endpoint declared, no host allowed: recipes may use Workers AI only. */
export const NO_ENDPOINTS: ProviderPolicy = { endpoints: {}, allowHosts: [] };

/**
 * The operator's policy from the Worker's `PROVIDERS` var (JSON; absent or empty: no endpoint). A
 * malformed one is the operator's error, named as such.
 */
export function parsePolicy(text: string | undefined): ProviderPolicy {
  if (text === undefined || text.trim() === '') return NO_ENDPOINTS;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new WinnowError('internal', {
      detail: `the Worker's PROVIDERS var is not JSON (${(e as Error).message}): the operator must fix it`,
    });
  }
  const r = ProviderPolicySchema.safeParse(value);
  if (!r.success) {
    const first = zodIssues(r.error, 'PROVIDERS')[0];
    throw new WinnowError('internal', {
      detail: `the Worker's PROVIDERS var is invalid: ${first.path}: ${first.message}`,
    });
  }
  return r.data;
}

/** `https://h:1/v1/` → `https://h:1/v1`: base URLs compare without their trailing slashes. */
const normal = (url: string) => url.replace(/\/+$/, '');

function hostAllowed(url: string, policy: ProviderPolicy): boolean {
  const u = new URL(url);
  return policy.allowHosts.some((h) => h === u.host || h === u.hostname);
}

const HOW =
  'the operator declares model endpoints (and the secret each may use) in the Worker\'s PROVIDERS var: {"endpoints": {"<name>": {"baseUrl": "…", "apiKeySecret": "…"}}, "allowHosts": ["<host>"]}; locally, winnow run declares the recipe\'s own providers, and winnow serve takes --provider <name>=<url>';

/**
 * What a recipe's provider may do under the policy: the config the provider layer runs with (the
 * endpoint's URL and secret filled in), or why not. A secret is used only where it is declared.
 */
function resolve(
  name: string,
  config: ProviderConfig,
  policy: ProviderPolicy,
): { ok: true; config: ProviderConfig } | { ok: false; path: string; message: string } {
  if (config.kind !== 'openai') return { ok: true, config };
  const declared = Object.entries(policy.endpoints);
  if (config.endpoint !== undefined) {
    const e = policy.endpoints[config.endpoint];
    if (!e) {
      const known = declared.map(([n]) => n).sort();
      return {
        ok: false,
        path: `${name}.endpoint`,
        message: `provider "${name}" names endpoint "${config.endpoint}", which the operator did not declare (declared: ${known.length ? known.join(', ') : 'none'}); ${HOW}`,
      };
    }
    if (config.apiKeySecret !== undefined && config.apiKeySecret !== e.apiKeySecret)
      return {
        ok: false,
        path: `${name}.apiKeySecret`,
        message: `provider "${name}" asks for the secret ${config.apiKeySecret}, but endpoint "${config.endpoint}" may only use ${e.apiKeySecret ?? 'no secret'}`,
      };
    return { ok: true, config: { ...config, baseUrl: e.baseUrl, apiKeySecret: e.apiKeySecret } };
  }
  const url = normal(config.baseUrl!);
  const match = declared.find(([, e]) => normal(e.baseUrl) === url);
  if (match) {
    const [endpoint, e] = match;
    if (config.apiKeySecret !== undefined && config.apiKeySecret !== e.apiKeySecret)
      return {
        ok: false,
        path: `${name}.apiKeySecret`,
        message: `provider "${name}" asks for the secret ${config.apiKeySecret}, but the operator allows ${url} (endpoint "${endpoint}") ${e.apiKeySecret ? `only ${e.apiKeySecret}` : 'no secret'}`,
      };
    return { ok: true, config: { ...config, apiKeySecret: e.apiKeySecret } };
  }
  if (hostAllowed(url, policy)) {
    if (config.apiKeySecret !== undefined)
      return {
        ok: false,
        path: `${name}.apiKeySecret`,
        message: `provider "${name}" asks for the secret ${config.apiKeySecret} on ${new URL(url).host}, an allowed host to which no secret is sent; the operator declares an endpoint with its secret to allow one (${HOW})`,
      };
    return { ok: true, config };
  }
  return {
    ok: false,
    path: `${name}.baseUrl`,
    message: `provider "${name}" calls ${url}, which the operator does not allow; ${HOW}`,
  };
}

/** Every provider of a recipe the policy refuses, as issues under `at` (`recipe.providers`). */
export function providerIssues(providers: Providers, policy: ProviderPolicy, at = 'providers'): Issue[] {
  const issues: Issue[] = [];
  for (const [name, config] of Object.entries(providers)) {
    const r = resolve(name, config, policy);
    if (!r.ok) issues.push({ code: 'provider_not_allowed', path: `${at}.${r.path}`, message: r.message });
  }
  return issues;
}

/**
 * The recipe's providers as the provider layer runs them: endpoints resolved to their URL and secret.
 * Throws `provider_not_allowed` for one the policy refuses (a job stored before the policy changed).
 */
export function applyPolicy(configs: ProvidersInput, policy: ProviderPolicy): Providers {
  const parsed = ProvidersSchema.parse(configs);
  const out: Providers = {};
  for (const [name, config] of Object.entries(parsed)) {
    const r = resolve(name, config, policy);
    if (!r.ok)
      throw new WinnowError('provider_not_allowed', { path: `providers.${r.path}`, detail: r.message });
    out[name] = r.config;
  }
  return out;
}

/**
 * `PROVIDER_KEYS` (JSON `{"<secret name>": "<value>"}`, empty on Cloudflare): how the CLI hands the
 * local stack the keys it declares. wrangler binds only the names wrangler.toml declares from its
 * environment, and a `--var` would show the key to every user of the machine in the process list.
 */
function providerKeys(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text.trim() === '') return {};
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {}
  throw new WinnowError('internal', { detail: "the Worker's PROVIDER_KEYS var is not a JSON object" });
}

/**
 * The values of the secrets the policy declares, and of no other variable (never API_TOKEN): each
 * from the Worker's secret of that name, else from `PROVIDER_KEYS`.
 */
export function policySecrets(
  vars: Record<string, unknown>,
  policy: ProviderPolicy,
): Record<string, string | undefined> {
  const secrets: Record<string, string | undefined> = {};
  let local: Record<string, unknown> | undefined;
  for (const { apiKeySecret } of Object.values(policy.endpoints)) {
    if (!apiKeySecret) continue;
    let v = vars[apiKeySecret];
    if (typeof v !== 'string' && apiKeySecret !== 'API_TOKEN')
      v = (local ??= providerKeys(vars.PROVIDER_KEYS))[apiKeySecret];
    secrets[apiKeySecret] = typeof v === 'string' ? v : undefined;
  }
  return secrets;
}
