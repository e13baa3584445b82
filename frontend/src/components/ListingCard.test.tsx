// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { ListingCard } from './ListingCard';
import { fakeApi, plain, renderPage, session } from '../test/render';
import type { Schemas } from '../api/client';

const item: Schemas['ListingSummary'] & { distance_km?: number | null; snippet?: string | null } = {
  id: '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21',
  version: 4,
  status: 'reserved',
  title: 'Robin DR400-140B, moteur 850 h',
  price: { amount: 6_500_000, currency: 'EUR', kind: 'negotiable' },
  airfield_icao: 'LFPN',
  city: 'Toussus-le-Noble',
  cover: {
    id: '0193b9a4-0000-7000-8000-00000000000a',
    position: 0,
    width: 1600,
    height: 1200,
    urls: { '1600': '/media/ab/cd/x-1600.webp', '320': '/media/ab/cd/x-320.webp', '800': '/media/ab/cd/x-800.webp' },
  },
  created_at: '2026-11-28T20:04:08Z',
  distance_km: 12.34,
  snippet: 'Beau <mark>DR400</mark> entretenu en club',
};

describe('ListingCard', () => {
  it('links the title, shows the price in the reader language, the place, the distance and the status', () => {
    fakeApi({ 'POST /api/v1/auth/refresh': session(null) });
    renderPage(<ListingCard item={item} />);
    const link = screen.getByRole('link', { name: item.title });
    expect(link.getAttribute('href')).toBe(`/listings/${item.id}`);
    const card = screen.getByRole('article');
    expect(plain(within(card).getByText(/€/).textContent)).toBe('65 000 €');
    expect(within(card).getByText('Réservée')).toBeTruthy();
    expect(plain(card.textContent)).toContain('LFPN · Toussus-le-Noble · à 12 km');
    // The API's snippet keeps its highlighting and nothing else.
    expect(card.querySelector('.snippet mark')?.textContent).toBe('DR400');
  });

  it('loads the smallest thumbnail lazily, with every size in srcset, from the API origin', () => {
    fakeApi({ 'POST /api/v1/auth/refresh': session(null) });
    const { container } = renderPage(<ListingCard item={item} />, { lang: 'en' });
    const img = container.querySelector('img');
    expect(img?.getAttribute('src')).toBe('http://api.test/media/ab/cd/x-320.webp');
    expect(img?.getAttribute('srcset')).toBe(
      'http://api.test/media/ab/cd/x-320.webp 320w, http://api.test/media/ab/cd/x-800.webp 800w, http://api.test/media/ab/cd/x-1600.webp 1600w',
    );
    expect(img?.getAttribute('loading')).toBe('lazy');
    expect(img?.getAttribute('alt')).toBe('');
    expect(screen.getByText('€65,000')).toBeTruthy();
    expect(screen.getByText('Reserved')).toBeTruthy();
  });

  it('shows a placeholder without a photo, "on request" without an amount, and no badge when published', () => {
    fakeApi({ 'POST /api/v1/auth/refresh': session(null) });
    const { container } = renderPage(
      <ListingCard
        item={{ ...item, status: 'published', cover: null, distance_km: null, snippet: null, price: { amount: null, currency: 'EUR', kind: 'on_request' } }}
      />,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('.no-photo')?.getAttribute('aria-hidden')).toBe('true');
    expect(screen.getByText('Prix sur demande')).toBeTruthy();
    expect(container.querySelector('.badge')).toBeNull();
    expect(container.querySelector('.snippet')).toBeNull();
    expect(plain(container.textContent)).not.toContain('km');
  });
});
