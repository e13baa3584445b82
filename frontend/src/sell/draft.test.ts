import { describe, expect, it } from 'vitest';
import { buildAttributes, EMPTY_DRAFT, fieldsOf, loadDraft, toListingInput } from './draft';

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

  it('restores a saved draft, or starts empty on garbage', () => {
    expect(loadDraft({ getItem: () => JSON.stringify({ step: 3, title: 'T' }) })).toMatchObject({ step: 3, title: 'T', currency: 'EUR' });
    expect(loadDraft({ getItem: () => '{nope' })).toEqual(EMPTY_DRAFT);
  });
});
