import { describe, expect, it } from 'vitest';
import { specRows } from './specs';
import { MONEY_FIELDS } from './money';
import fields from '../api/attribute-fields.json';

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
    // Hours read as hours wherever the word sits in the field's name.
    const spaced = (v?: string) => v?.replace(/\s/g, ' ');
    expect(spaced(specRows('fr', { engine_hours_since_new: 515 })[0]?.value)).toBe('515 h');
    expect(spaced(specRows('en', { propeller_hours_since_overhaul: 120 })[0]?.value)).toBe('120 hrs');
  });
  it('puts make and model first whatever order the API sends', () => {
    const rows = specRows('en', { year: 1978, engine_smoh: 850, model: 'DR400', make: 'Robin' });
    expect(rows.map((r) => r.key)).toEqual(['make', 'model', 'year', 'engine_smoh']);
  });
  it('labels other groups\' attributes and translates their choices', () => {
    const rows = specRows('fr', { offer: 'monthly_rent', width_m: 15, pitch: 'ground_adjustable', smoh: 850 });
    const byKey = Object.fromEntries(rows.map((r) => [r.key, [r.label, plain(r.value)]]));
    expect(byKey.offer).toEqual(['Offre', 'À louer au mois']);
    expect(byKey.width_m).toEqual(['Largeur (m)', '15']);
    expect(byKey.pitch).toEqual(['Pas', 'Réglable au sol']);
    expect(byKey.smoh).toEqual(['Heures depuis révision générale', '850 h']);
    expect(specRows('en', { release_certificate: 'easa_form1' })[0]?.value).toBe('EASA Form 1');
  });
  it('gives each group its own fields (attribute-fields.json matched by name, not by order)', () => {
    const names = (g: keyof typeof fields) => fields[g].map((f) => f.name);
    expect(names('hangar')).toContain('offer');
    expect(names('share')).toContain('fraction');
    expect(names('equipment')).toEqual(['kind', 'details']);
    expect(names('service')).toEqual(['kind', 'details']);
    expect(names('part')).toContain('part_number');
  });
  it("shows a share's costs as money in the listing's currency", () => {
    const fr = specRows('fr', { fraction: '1/4', monthly_fixed_cost: 25_000, hourly_wet_rate: 14_550 }, {}, 'CHF');
    const byKey = Object.fromEntries(fr.map((r) => [r.key, plain(r.value)]));
    expect(byKey.monthly_fixed_cost).toBe('250 CHF');
    expect(byKey.hourly_wet_rate).toBe('145,50 CHF');
    const en = specRows('en', { monthly_fixed_cost: 25_000 }, {}, 'GBP');
    expect(en[0]).toEqual({ key: 'monthly_fixed_cost', label: 'Monthly fixed cost', value: '£250' });
    expect(specRows('en', { hourly_wet_rate: 19_900 })[0]?.value).toBe('€199');
  });
  it('knows every attribute the spec gives in minor units as money', () => {
    const described = Object.values(fields as Record<string, { name: string; description?: string }[]>)
      .flat()
      .filter((f) => /minor units/i.test(f.description ?? ''))
      .map((f) => f.name);
    expect(described.length).toBeGreaterThan(0);
    expect([...MONEY_FIELDS].sort()).toEqual([...new Set(described)].sort());
  });
  it('shows unknown attributes with a readable label', () => {
    const rows = specRows('en', { blade_count: 3 });
    expect(rows[0]).toEqual({ key: 'blade_count', label: 'Blade count', value: '3' });
  });
});
