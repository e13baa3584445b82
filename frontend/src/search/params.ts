// The search lives in the URL: the page's query string is exactly the API's query string for
// GET /api/v1/listings (same names, same units: prices in minor units), minus `facets` and
// `limit`, which the page adds. Keys and types come from the generated contract.
import type { paths } from '../api/schema';

export type SearchQuery = NonNullable<paths['/api/v1/listings']['get']['parameters']['query']>;
export type SearchKey = keyof SearchQuery;

type Kind = 'string' | 'int' | 'number' | 'bool';

/**
 * Every parameter of the search endpoint and how to read it from text. Being a complete map over
 * the generated type, it fails to compile when the API adds or removes a filter.
 */
export const SEARCH_PARAMS: { readonly [K in SearchKey]-?: Kind } = {
  q: 'string',
  category: 'string',
  make: 'string',
  model: 'string',
  year_min: 'int',
  year_max: 'int',
  price_min: 'int',
  price_max: 'int',
  ttaf_max: 'number',
  smoh_max: 'number',
  hours_to_tbo_min: 'number',
  engine_hours_max: 'number',
  ifr: 'bool',
  seats_min: 'int',
  fuel: 'string',
  condition: 'string',
  seller_type: 'string',
  country: 'string',
  has_photos: 'bool',
  posted_within_days: 'int',
  near: 'string',
  radius_km: 'number',
  include_sold: 'bool',
  sort: 'string',
  limit: 'int',
  cursor: 'string',
  facets: 'string',
};

/** Parameters the page sets itself; never read from or written to the address bar. */
const PAGE_OWNED: readonly SearchKey[] = ['facets', 'limit'];

export const SORTS = ['relevance', 'newest', 'price_asc', 'price_desc', 'year_desc', 'ttaf_asc', 'distance'] as const;
export type SortValue = (typeof SORTS)[number];

export const FACETS = ['category', 'make', 'country', 'price_bucket', 'year_bucket'] as const;
export type FacetName = (typeof FACETS)[number];

export const FUELS = ['100LL', 'UL91', 'mogas', 'jet-a1', 'electric'] as const;
export const CONDITIONS = ['new', 'used', 'overhauled', 'for_parts'] as const;
export const SELLER_TYPES = ['private', 'professional'] as const;

const keys = Object.keys(SEARCH_PARAMS) as SearchKey[];

function parseValue(kind: Kind, raw: string): string | number | boolean | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  switch (kind) {
    case 'string':
      return text;
    case 'int':
      return /^-?\d+$/.test(text) ? Number(text) : undefined;
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'bool':
      return text === 'true' ? true : text === 'false' ? false : undefined;
  }
}

/** The search in a query string; unknown or malformed values are dropped. */
export function parseSearch(params: URLSearchParams): SearchQuery {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (PAGE_OWNED.includes(key)) continue;
    const raw = params.get(key);
    if (raw == null) continue;
    const value = parseValue(SEARCH_PARAMS[key], raw);
    if (value !== undefined) out[key] = value;
  }
  return out as SearchQuery;
}

/** The query string for a search, keys in a fixed order so equal searches give equal URLs. */
export function toSearchParams(query: SearchQuery): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of keys) {
    if (PAGE_OWNED.includes(key)) continue;
    const value = query[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    out.set(key, String(value));
  }
  return out;
}

/** A search changed by `patch` (undefined removes a key). Any change but the cursor starts again at page one. */
export function withChanges(query: SearchQuery, patch: Partial<SearchQuery>): SearchQuery {
  const next: Record<string, unknown> = { ...query };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === '' || v === null) delete next[k];
    else next[k] = v;
  }
  if (!('cursor' in patch)) delete next.cursor;
  return next as SearchQuery;
}

/** What the page sends to the API: the URL's search plus facets and page size. */
export function apiQuery(query: SearchQuery, limit = 20): SearchQuery {
  return { ...query, facets: FACETS.join(','), limit };
}

/** How many filters (besides text, sort and page) are set: shown on the filter toggle. */
export function activeFilterCount(query: SearchQuery): number {
  return keys.filter((k) => !['q', 'sort', 'cursor', 'facets', 'limit'].includes(k) && query[k] !== undefined).length;
}

/** The search filter that a facet value selects (price buckets are in major units). */
export function facetFilter(facet: FacetName, value: string): Partial<SearchQuery> {
  switch (facet) {
    case 'category':
      return { category: value };
    case 'make':
      return { make: value };
    case 'country':
      return { country: value };
    case 'year_bucket': {
      const decade = Number.parseInt(value, 10);
      return Number.isFinite(decade) ? { year_min: decade, year_max: decade + 9 } : {};
    }
    case 'price_bucket': {
      if (value === 'on_request') return {};
      const [lo, hi] = value.replace('+', '').split('-');
      const min = Number(lo) * 100;
      const max = hi ? Number(hi) * 100 - 1 : undefined;
      return { price_min: min || undefined, price_max: max };
    }
  }
}
