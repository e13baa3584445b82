import { describe, expect, it } from 'vitest';
import { specRows } from './specs';

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('specs table', () => {
  it('labels and formats attributes in the reader language and units', () => {
    const rows = specRows('fr', {
      make: 'Robin',
      year: 1978,
      ttaf_hours: 6540.5,
      mtow_kg: 1000,
      ifr: false,
      avionics: ['Garmin GNS 430', 'Trig TT21'],
      damage: 'none',
      arc_expiry: '2027-03-01',
      variant: null,
    });
    const byKey = Object.fromEntries(rows.map((r) => [r.key, [r.label, plain(r.value)]]));
    expect(byKey.make).toEqual(['Marque', 'Robin']);
    expect(byKey.year).toEqual(['Année', '1978']);
    expect(byKey.ttaf_hours).toEqual(['Heures cellule', '6 540,5 h']);
    expect(byKey.mtow_kg).toEqual(['Masse max. au décollage', '1 000 kg']);
    expect(byKey.ifr).toEqual(['IFR', 'Non']);
    expect(byKey.avionics?.[1]).toBe('Garmin GNS 430, Trig TT21');
    expect(byKey.damage?.[1]).toBe('Aucun');
    expect(byKey.arc_expiry?.[1]).toBe('1 mars 2027');
    expect(byKey.variant).toBeUndefined();
  });
  it('puts make and model first whatever order the API sends', () => {
    const rows = specRows('en', { year: 1978, engine_smoh: 850, model: 'DR400', make: 'Robin' });
    expect(rows.map((r) => r.key)).toEqual(['make', 'model', 'year', 'engine_smoh']);
  });
  it('shows unknown attributes with a readable label', () => {
    const rows = specRows('en', { blade_count: 3 });
    expect(rows[0]).toEqual({ key: 'blade_count', label: 'Blade count', value: '3' });
  });
});
