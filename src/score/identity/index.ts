export { type IdentityConfig, IdentityConfigSchema } from './config.ts';
export { identityScorer, scoreIdentity } from './identity.ts';
export { KNOWN, type KnownIdentity, whoOf } from './names.ts';
export { override, probe } from './prompts.ts';
