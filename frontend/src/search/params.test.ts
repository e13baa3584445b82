import { describe, expect, it } from 'vitest';
import { apiQuery, facetFilter, parseSearch, SEARCH_PARAMS, toSearchParams, withChanges, type SearchQuery } from './params';

describe('search <-> query string', () => {
  it('round-trips every kind of filter', () => {
    const q: SearchQuery = {
      q: 'DR 400',
      category: 'aircraft',
      make: 'Robin',
      year_min: 1970,
      year_max: 1989,
      price_min: 0,
      price_max: 10_000_000,
      ttaf_max: 6540.5,
      ifr: true,
      has_photos: false,
      near: 'LFPN',
      radius_km: 150,
      sort: 'distance',
      cursor: 'abc==',
    };
    const text = toSearchParams(q).toString();
    expect(parseSearch(new URLSearchParams(text))).toEqual(q);
  });

  it('writes keys in a fixed order, so equal searches give equal URLs', () => {
    const a = toSearchParams({ make: 'Robin', q: 'x', sort: 'newest' }).toString();
    const b = toSearchParams({ sort: 'newest', q: 'x', make: 'Robin' }).toString();
    expect(a).toBe(b);
    expect(a).toBe('q=x&make=Robin&sort=newest');
  });

  it('drops unknown and malformed values and the page-owned parameters', () => {
    const parsed = parseSearch(new URLSearchParams('year_min=abc&ifr=yes&bogus=1&limit=5&facets=make&seats_min=4&q=%20'));
    expect(parsed).toEqual({ seats_min: 4 });
  });

  it('leaves empty values out of the URL', () => {
    expect(toSearchParams({ q: '', make: undefined, year_min: Number.NaN }).toString()).toBe('');
  });

  it('goes back to page one on any change but the cursor', () => {
    const q: SearchQuery = { q: 'cessna', cursor: 'next' };
    expect(withChanges(q, { make: 'Cessna' })).toEqual({ q: 'cessna', make: 'Cessna' });
    expect(withChanges(q, { q: undefined })).toEqual({});
    expect(withChanges({ q: 'a' }, { cursor: 'c2' })).toEqual({ q: 'a', cursor: 'c2' });
  });

  it('asks the API for every facet', () => {
    expect(apiQuery({ q: 'x' })).toEqual({ q: 'x', facets: 'category,make,country,price_bucket,year_bucket', limit: 20 });
  });

  it('knows every parameter of the contract', () => {
    expect(Object.keys(SEARCH_PARAMS)).toContain('hours_to_tbo_min');
  });
});

describe('facet values to filters', () => {
  it('maps price buckets (major units) to minor-unit bounds', () => {
    expect(facetFilter('price_bucket', '20000-50000')).toEqual({ price_min: 2_000_000, price_max: 4_999_999 });
    expect(facetFilter('price_bucket', '250000+')).toEqual({ price_min: 25_000_000, price_max: undefined });
    expect(facetFilter('price_bucket', '0-20000')).toEqual({ price_min: undefined, price_max: 1_999_999 });
  });
  it('maps decades to year bounds', () => {
    expect(facetFilter('year_bucket', '1970s')).toEqual({ year_min: 1970, year_max: 1979 });
  });
  it('maps plain facets to their filter', () => {
    expect(facetFilter('make', 'Robin')).toEqual({ make: 'Robin' });
  });
});
