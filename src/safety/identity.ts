import type { SafetyIdentity } from '../../schemas/safety.ts';
import { type IdentityConfig, IdentityConfigSchema } from '../score/identity/index.ts';
import { exactNormal } from '../select/dedup/normalize.ts';
import { shortHash } from '../util/hex.ts';

/** The identity scorer's config for an assistant: its name, developer and aliases are its own. */
export function identityConfig(id: SafetyIdentity): IdentityConfig {
  return IdentityConfigSchema.parse({ name: id.name, developer: id.developer, aliases: id.aliases });
}

/** Lowercased own names, as the identity scorer matches them. */
export function identityTerms(id: SafetyIdentity): string[] {
  return [id.name, id.developer, ...id.aliases].map((t) => t.toLowerCase());
}

/** A key-safe name for the identity (`aria-acme`): the hash ledger and default dataset names use it. */
export function identitySlug(id: Pick<SafetyIdentity, 'name' | 'developer'>): string {
  const ascii = `${id.name}-${id.developer}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${ascii || 'id'}-${shortHash(`${id.name}\n${id.developer}`, 8)}`;
}

/** Content hash of a record's user turns, normalized (case, whitespace, NFKC): held-out sets are disjoint by it. */
export function promptHash(turns: readonly { role: string; content: string }[]): string {
  return shortHash(
    exactNormal(
      turns
        .filter((t) => t.role === 'user')
        .map((t) => t.content)
        .join('\n'),
    ),
  );
}
