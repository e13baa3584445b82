import { describe, expect, it } from 'vitest';
import { buildAttributes, EMPTY_DRAFT, fieldsOf, fromListing, loadDraft, parseMajor, toListingInput } from './draft';
import type { components } from '../api/schema';

describe('listing form', () => {
  it('knows the aircraft fields from the spec', () => {
    const names = fieldsOf('aircraft').map((f) => f.name);
    expect(names.slice(0, 2)).toEqual(['make', 'model']);
    expect(fieldsOf('aircraft').find((f) => f.name === 'fuel')?.options).toContain('100LL');
    expect(fieldsOf('nope')).toEqual([]);
  });

  it('types attribute text by the schema and reports what is not a number', () => {
    const { value, errors } = buildAttributes(fieldsOf('aircraft'), {
      make: ' Robin ',
      model: 'DR400',
      year: '1978',
      ttaf_hours: '6540,5',
      seats: 'four',
      ifr: true,
      avionics: 'Garmin GNS 430\nTrig TT21',
      variant: '',
    });
    expect(value).toEqual({ make: 'Robin', model: 'DR400', year: 1978, ttaf_hours: 6540.5, ifr: true, avionics: ['Garmin GNS 430', 'Trig TT21'] });
    expect(errors).toEqual({ seats: 'integer' });
  });

  it('builds the API body with the price in minor units', () => {
    const { body, errors } = toListingInput({
      ...EMPTY_DRAFT,
      category: 'single-engine-piston',
      group: 'aircraft',
      title: ' Robin DR400 ',
      description: 'x',
      amount: '65 000',
      airfield: 'lfpn',
      attributes: { make: 'Robin', model: 'DR400' },
    });
    expect(errors).toEqual({});
    expect(body.price).toEqual({ amount: 6_500_000, currency: 'EUR', kind: 'negotiable' });
    expect(body.location.airfield_icao).toBe('LFPN');
    expect(body.title).toBe('Robin DR400');
  });

  it('needs an amount unless the price is on request', () => {
    expect(toListingInput({ ...EMPTY_DRAFT, amount: 'abc' }).errors).toEqual({ 'price.amount': 'number' });
    expect(toListingInput({ ...EMPTY_DRAFT, kind: 'on_request' }).body.price.amount).toBeNull();
  });

  it("takes a share's costs in major units of the listing's currency and sends minor units", () => {
    const draft = {
      ...EMPTY_DRAFT,
      category: 'aircraft-shares',
      group: 'share',
      amount: '12 000',
      currency: 'CHF' as const,
      attributes: { fraction: '1/4', monthly_fixed_cost: '250', hourly_wet_rate: '145,50' },
    };
    const { body, errors } = toListingInput(draft);
    expect(errors).toEqual({});
    expect(body.attributes).toEqual({ fraction: '1/4', monthly_fixed_cost: 25_000, hourly_wet_rate: 14_550 });
    expect(body.price.amount).toBe(1_200_000);
    const bad = toListingInput({ ...draft, attributes: { fraction: '1/4', hourly_wet_rate: '145 CHF' } });
    expect(bad.errors).toEqual({ 'attributes.hourly_wet_rate': 'number' });
    expect(buildAttributes(fieldsOf('share'), { monthly_fixed_cost: '1 250,5' }).value).toEqual({ monthly_fixed_cost: 125_050 });
  });

  it('shows the costs of a listing being edited in major units again', () => {
    const listing = {
      id: '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21',
      category: 'aircraft-shares',
      title: 'Quart de DR400',
      description: 'x',
      price: { amount: 1_200_000, currency: 'GBP', kind: 'fixed' },
      condition: 'used',
      location: { airfield_icao: 'LFPN', city: null, country: null },
      attributes: { fraction: '1/4', monthly_fixed_cost: 25_000, hourly_wet_rate: 14_550 },
      version: 3,
    } as unknown as components['schemas']['ListingView'];
    const d = fromListing(listing, 'share');
    expect(d.attributes).toEqual({ fraction: '1/4', monthly_fixed_cost: '250', hourly_wet_rate: '145.5' });
    expect(d.amount).toBe('12000');
    expect(toListingInput(d).body.attributes).toEqual(listing.attributes);
  });

  it('reads amounts typed with spaces or a decimal comma', () => {
    expect(parseMajor('65 000')).toBe(65_000);
    expect(parseMajor('65\u202f000,50')).toBe(65_000.5);
    expect(parseMajor('  ')).toBeNull();
    expect(parseMajor('12 €')).toBeNull();
  });

  it('restores a saved draft, or starts empty on garbage', () => {
    expect(loadDraft({ getItem: () => JSON.stringify({ step: 3, title: 'T' }) })).toMatchObject({ step: 3, title: 'T', currency: 'EUR' });
    expect(loadDraft({ getItem: () => '{nope' })).toEqual(EMPTY_DRAFT);
  });
});
