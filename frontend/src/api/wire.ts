// Conversions between the SPA's own literals and the API's string enums (Locale,
// AccountType, Scope…). The spec once documented those enums with their Rust variant names;
// it now carries the wire names ("fr", "listings:read"), so these are plain, checked
// conversions kept in one place.
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
