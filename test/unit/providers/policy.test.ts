import { describe, expect, it } from 'vitest';
import { ProviderPolicySchema, ProvidersSchema } from '../../../schemas/provider.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { applyPolicy, parsePolicy, policySecrets, providerIssues } from '../../../src/providers/index.ts';
import { parseProviderFlags, providerVars, recipeEndpoints } from '../../../workers/cli/providers.ts';

const policy = ProviderPolicySchema.parse({
  endpoints: {
    openai: { baseUrl: 'https://api.openai.com/v1', apiKeySecret: 'OPENAI_API_KEY' },
    vllm: { baseUrl: 'http://10.0.0.5:8000/v1/' },
  },
  allowHosts: ['127.0.0.1', 'models.internal:9000'],
});
const providers = (p: Record<string, unknown>) =>
  ProvidersSchema.parse({ p: { kind: 'openai', model: 'm', ...p } });
const issues = (p: Record<string, unknown>) => providerIssues(providers(p), policy, 'recipe.providers');

describe('the operator policy over model endpoints', () => {
  it('resolves a declared endpoint by name, with its URL and its secret', () => {
    expect(applyPolicy({ p: { kind: 'openai', endpoint: 'openai', model: 'gpt' } }, policy).p).toMatchObject({
      baseUrl: 'https://api.openai.com/v1',
      apiKeySecret: 'OPENAI_API_KEY',
    });
    // The same endpoint by its URL (trailing slashes aside) gets the same secret, and only that one.
    expect(
      applyPolicy({ p: { kind: 'openai', baseUrl: 'https://api.openai.com/v1/', model: 'g' } }, policy).p,
    ).toMatchObject({ apiKeySecret: 'OPENAI_API_KEY' });
    expect(issues({ baseUrl: 'http://10.0.0.5:8000/v1' })).toEqual([]);
  });

  it('refuses what the operator did not allow, naming the provider and the field', () => {
    expect(issues({ baseUrl: 'https://api.openai.com/v1', apiKeySecret: 'API_TOKEN' })).toEqual([
      expect.objectContaining({ code: 'provider_not_allowed', path: 'recipe.providers.p.apiKeySecret' }),
    ]);
    expect(issues({ endpoint: 'vllm', apiKeySecret: 'OPENAI_API_KEY' })[0].message).toBe(
      'provider "p" asks for the secret OPENAI_API_KEY, but endpoint "vllm" may only use no secret',
    );
    expect(issues({ endpoint: 'nope' })[0].message).toMatch(
      /^provider "p" names endpoint "nope", which the operator did not declare \(declared: openai, vllm\); the operator declares/,
    );
    const far = issues({ baseUrl: 'https://evil.example/v1' })[0];
    expect(far).toMatchObject({ path: 'recipe.providers.p.baseUrl' });
    expect(far.message).toMatch(
      /^provider "p" calls https:\/\/evil.example\/v1, which the operator does not allow/,
    );
    // An allowed host takes no secret: only a declared endpoint is ever sent one.
    expect(issues({ baseUrl: 'http://127.0.0.1:8000/v1' })).toEqual([]);
    expect(issues({ baseUrl: 'http://models.internal:9000/v1' })).toEqual([]);
    expect(issues({ baseUrl: 'http://models.internal:9001/v1' })).toHaveLength(1);
    expect(issues({ baseUrl: 'http://127.0.0.1:8000/v1', apiKeySecret: 'OPENAI_API_KEY' })).toHaveLength(1);
    expect(() =>
      applyPolicy({ p: { kind: 'openai', baseUrl: 'https://evil.example/v1', model: 'm' } }, policy),
    ).toThrow(/which the operator does not allow/);
    // Workers AI needs no URL and no secret.
    expect(
      providerIssues(ProvidersSchema.parse({ w: { kind: 'workers-ai', model: 'x' } }), parsePolicy('')),
    ).toEqual([]);
  });

  it('hands the provider layer the declared secrets only, never API_TOKEN', () => {
    const vars = { API_TOKEN: 'root', OPENAI_API_KEY: 'sk-1', OTHER: 'x' };
    expect(policySecrets(vars, policy)).toEqual({ OPENAI_API_KEY: 'sk-1' });
    expect(policySecrets(vars, parsePolicy(undefined))).toEqual({});
    // Locally the CLI hands the keys over in PROVIDER_KEYS: a declared one is read from it, a Worker
    // secret of the same name wins, and nothing undeclared (nor API_TOKEN) is taken from it.
    const keys = JSON.stringify({ OPENAI_API_KEY: 'sk-local', API_TOKEN: 'x', OTHER: 'y' });
    expect(policySecrets({ API_TOKEN: 'root', PROVIDER_KEYS: keys }, policy)).toEqual({
      OPENAI_API_KEY: 'sk-local',
    });
    expect(policySecrets({ ...vars, PROVIDER_KEYS: keys }, policy)).toEqual({ OPENAI_API_KEY: 'sk-1' });
    expect(() => policySecrets({ PROVIDER_KEYS: '[1]' }, policy)).toThrow(
      "the Worker's PROVIDER_KEYS var is not a JSON object",
    );
    expect(() =>
      parsePolicy('{"endpoints": {"x": {"baseUrl": "https://a/v1", "apiKeySecret": "API_TOKEN"}}}'),
    ).toThrow(
      "the Worker's PROVIDERS var is invalid: PROVIDERS.endpoints.x.apiKeySecret: API_TOKEN is the Winnow API's own token: it is never sent to a model endpoint",
    );
    expect(() => parsePolicy('{nope')).toThrow(/^the Worker's PROVIDERS var is not JSON/);
  });

  it('a recipe names exactly one of endpoint and baseUrl', () => {
    const r = ProvidersSchema.safeParse({ p: { kind: 'openai', model: 'm' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe(
      'give exactly one of endpoint (a model endpoint the operator declared) or baseUrl',
    );
  });

  it('the CLI declares, for the local stack, the recipe providers and --provider flags the user runs with', () => {
    const recipe = RecipeSchema.parse({
      providers: {
        lm: { kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', model: 'm', apiKeySecret: 'LM_KEY' },
      },
    });
    expect(recipeEndpoints(recipe)).toEqual({
      lm: { baseUrl: 'http://127.0.0.1:8000/v1', apiKeySecret: 'LM_KEY' },
    });
    expect(
      parseProviderFlags(['paid=https://api.example.com/v1,key=PAID_KEY', 'local=http://127.0.0.1:9/v1']),
    ).toEqual({
      paid: { baseUrl: 'https://api.example.com/v1', apiKeySecret: 'PAID_KEY' },
      local: { baseUrl: 'http://127.0.0.1:9/v1' },
    });
    expect(() => parseProviderFlags(['paid'])).toThrow(
      '--provider takes <name>=<url>[,key=<ENV VAR>], got "paid"',
    );
    process.env.LM_KEY = 'k';
    const vars = providerVars(recipeEndpoints(recipe));
    // In PROVIDER_KEYS, which the local stack gets in wrangler's environment, never on its command line.
    expect(vars.LM_KEY).toBeUndefined();
    expect(JSON.parse(vars.PROVIDER_KEYS)).toEqual({ LM_KEY: 'k' });
    expect(JSON.parse(vars.PROVIDERS)).toEqual({ endpoints: recipeEndpoints(recipe), allowHosts: [] });
    expect(() => providerVars({ x: { baseUrl: 'http://a/v1', apiKeySecret: 'API_TOKEN' } })).toThrow(
      'provider "x": API_TOKEN is never sent to a model endpoint',
    );
  });
});
