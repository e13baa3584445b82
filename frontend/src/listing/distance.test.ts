import { describe, expect, it } from 'vitest';
import { distanceKm } from './distance';

describe('distanceKm', () => {
  it('measures great-circle distances between airfields', () => {
    const cases: [string, { lat: number; lon: number }, { lat: number; lon: number }, number][] = [
      ['LFPN Toussus to LFPT Pontoise', { lat: 48.7519, lon: 2.1061 }, { lat: 49.0966, lon: 2.0408 }, 38.6],
      ['LFPG Roissy to EGLL Heathrow', { lat: 49.0097, lon: 2.5479 }, { lat: 51.47, lon: -0.4543 }, 347],
      ['across the antimeridian', { lat: 0, lon: 179.5 }, { lat: 0, lon: -179.5 }, 111.2],
    ];
    for (const [why, a, b, km] of cases) {
      expect(distanceKm(a, b), why).toBeCloseTo(km, 0);
      expect(distanceKm(b, a), `${why}, both ways`).toBeCloseTo(km, 0);
    }
  });

  it('is zero at the same place', () => {
    expect(distanceKm({ lat: 45.5, lon: 6.1 }, { lat: 45.5, lon: 6.1 })).toBe(0);
  });
});
