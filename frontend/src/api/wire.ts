// Known mismatches between openapi/openapi.json and what the API really reads and writes.
//
// The API's string enums declared with its `text_enum!` macro (Locale, AccountType, Role,
// Scope, UserStatus, MakeKind, AttributeGroup) are documented in the spec with their Rust
// variant names ("Fr", "Private") while the API sends and accepts the lowercase names ("fr",
// "private"). The generated types therefore carry the wrong literals. Until the API's spec
// is fixed (then these casts become type errors or no-ops and can go), the SPA converts here,
// in one place.
import type { components } from './schema';

type S = components['schemas'];

export function wireLocale(lang: 'fr' | 'en'): S['Locale'] {
  return lang as unknown as S['Locale'];
}

export function wireAccountType(t: 'private' | 'professional'): S['AccountType'] {
  return t as unknown as S['AccountType'];
}

/** Token scopes as the API reads them ("listings:read"; the spec says "ListingsRead"). */
export const SCOPES = ['listings:read', 'listings:write', 'messages', 'account'] as const;
export type WireScope = (typeof SCOPES)[number];
export function wireScopes(scopes: readonly WireScope[]): S['Scope'][] {
  return scopes as unknown as S['Scope'][];
}

/** A value of one of those enums as the API really sent it (lowercase). */
export function fromWire(
  value: S['Locale'] | S['AccountType'] | S['Role'] | S['AttributeGroup'] | S['Scope'] | S['UserStatus'],
): string {
  return String(value);
}
