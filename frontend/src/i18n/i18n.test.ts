import { describe, expect, it } from 'vitest';
import { pickLanguage, translate } from './lang';
import { en, fr } from './messages';
import fields from '../api/attribute-fields.json';
import { formatDate, formatKm, formatMoney, fromMinor, toMinor } from './format';

// Intl output uses narrow no-break spaces in French; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('language choice', () => {
  it('remembers an explicit choice first', () => {
    expect(pickLanguage('en', ['fr-FR'])).toBe('en');
  });
  it('else takes the first supported browser language', () => {
    expect(pickLanguage(null, ['de-DE', 'en-US', 'fr'])).toBe('en');
    expect(pickLanguage(null, ['fr-CA'])).toBe('fr');
  });
  it('else French', () => {
    expect(pickLanguage('xx', ['de', 'it'])).toBe('fr');
  });
});

describe('dictionaries', () => {
  it('have the same keys and no empty text', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    for (const v of [...Object.values(fr), ...Object.values(en)]) expect(v.trim()).not.toBe('');
  });
  it('name every attribute field of every group, and each of its choices', () => {
    const missing: string[] = [];
    for (const [group, list] of Object.entries(fields as Record<string, { name: string; type: string; options?: string[] }[]>)) {
      for (const f of list) {
        if (!(`spec.${f.name}` in fr)) missing.push(`${group}: spec.${f.name}`);
        for (const o of f.options ?? []) if (!(`choice.${f.name}.${o}` in fr)) missing.push(`${group}: choice.${f.name}.${o}`);
      }
    }
    expect(missing).toEqual([]);
  });
  it('explain, under the field, every attribute the spec describes and the aviation jargon', () => {
    // Fields a seller or buyer may not know, whether or not the spec describes them.
    const JARGON = [
      'ttaf_hours', 'engine_hours_since_new', 'engine_smoh', 'engine_tbo_hours', 'mtow_kg', 'ifr', 'empty_mass_kg',
      'propeller_hours_since_overhaul', 'hours_since_new', 'smoh', 'tbo_hours', 'hours_since_overhaul', 'part_number',
      'base_airfield_icao',
    ];
    const all = Object.values(fields as Record<string, { name: string; type: string; description?: string }[]>).flat();
    const missing = new Set<string>();
    for (const f of all) {
      const needed = (f.description && f.type !== 'object') || JARGON.includes(f.name);
      if (needed && !(`help.${f.name}` in fr)) missing.add(f.name);
    }
    expect([...missing]).toEqual([]);
    // No help text for a field that does not exist (hours to TBO is the API's, shown with the specs).
    const names = new Set([...all.map((f) => f.name), 'hours_to_tbo']);
    const stale = Object.keys(fr).filter((k) => k.startsWith('help.') && !names.has(k.slice(5)));
    expect(stale).toEqual([]);
    expect(en['help.engine_smoh' as keyof typeof en]).toMatch(/^SMOH/);
  });
  it('fill placeholders', () => {
    expect(translate('en', 'search.results', { count: '3' })).toBe('3 listings');
    expect(translate('fr', 'listing.photo', { n: 1, total: 2 })).toBe('Photo 1 sur 2');
  });
});

describe('formatting', () => {
  it('shows minor units as money in each language', () => {
    expect(plain(formatMoney('fr', 6_500_000, 'EUR'))).toBe('65 000 €');
    expect(formatMoney('en', 6_500_000, 'EUR')).toBe('€65,000');
    expect(plain(formatMoney('fr', 12_345, 'CHF'))).toBe('123,45 CHF');
  });
  it('converts major and minor units', () => {
    expect(toMinor(65_000)).toBe(6_500_000);
    expect(toMinor(19.99)).toBe(1999);
    expect(fromMinor(6_500_000)).toBe(65_000);
  });
  it('formats dates and distances', () => {
    expect(formatDate('en', '2026-11-28T20:04:08Z')).toBe('28 November 2026');
    expect(formatDate('fr', '2027-01-27')).toBe('27 janvier 2027');
    expect(plain(formatKm('fr', 12.34))).toBe('12 km');
  });
});
