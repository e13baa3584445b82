// @vitest-environment jsdom
// The favourite heart: shown to members only, pressed for a favourite, PUT / DELETE on click,
// and the API's refusal said.
import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ListingCard } from './ListingCard';
import { FavoriteButton } from './FavoriteButton';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';
import type { Schemas } from '../api/client';

const ID = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21';
const OTHER = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c99';
const item: Schemas['ListingSummary'] = {
  id: ID,
  version: 1,
  status: 'published',
  title: 'Robin DR400-140B',
  price: { amount: 6_500_000, currency: 'EUR', kind: 'fixed' },
  created_at: '2026-11-28T20:04:08Z',
};
const fav = (id: string) => ({ listing_id: id, saved_at: '2026-11-28T20:04:08Z', status: 'published', available: true });

describe('favourite button', () => {
  it('is absent for visitors', async () => {
    const calls = fakeApi({ 'POST /api/v1/auth/refresh': session(null) });
    renderPage(<ListingCard item={item} />);
    await waitFor(() => expect(calls.length).toBe(1));
    expect(screen.queryByRole('button')).toBeNull();
    expect(calls.some((c) => c.path.includes('favorite'))).toBe(false);
  });

  it('on a card: not pressed, PUT on click, then pressed; DELETE on the second click', async () => {
    let saved = [OTHER];
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/favorites': () => ({ body: { items: saved.map(fav), next_cursor: null } }),
      [`PUT /api/v1/listings/${ID}/favorite`]: () => ((saved = [ID, ...saved]), { status: 201, body: fav(ID) }),
      [`DELETE /api/v1/listings/${ID}/favorite`]: () => ((saved = saved.filter((id) => id !== ID)), { status: 204 }),
    });
    renderPage(<ListingCard item={item} />);
    const user = userEvent.setup();
    const heart = await screen.findByRole('button', { name: 'Favori : Robin DR400-140B' });
    await waitFor(() => expect((heart as HTMLButtonElement).disabled).toBe(false));
    expect(heart.getAttribute('aria-pressed')).toBe('false');
    // One read of the favourites for the page, not one per card.
    expect(calls.filter((c) => c.path === '/api/v1/users/me/favorites').map((c) => c.query.get('limit'))).toEqual(['100']);
    expect(calls.some((c) => c.method === 'GET' && c.path.endsWith('/favorite'))).toBe(false);
    await user.click(heart);
    await waitFor(() => expect(heart.getAttribute('aria-pressed')).toBe('true'));
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.path)).toEqual([`/api/v1/listings/${ID}/favorite`]);
    await waitFor(() => expect((heart as HTMLButtonElement).disabled).toBe(false));
    await user.click(heart);
    await waitFor(() => expect(heart.getAttribute('aria-pressed')).toBe('false'));
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([`/api/v1/listings/${ID}/favorite`]);
  });

  it("on the listing page: named by its text, pressed for a favourite, the API's refusal said", async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/favorites': { body: { items: [fav(ID)], next_cursor: null } },
      [`DELETE /api/v1/listings/${ID}/favorite`]: {
        status: 503,
        body: problemBody(503, 'unavailable', 'Le service est momentanément indisponible.'),
      },
    });
    renderPage(<FavoriteButton listingId={ID} large />, { lang: 'en' });
    const user = userEvent.setup();
    const button = await screen.findByRole('button', { name: 'Favourite' });
    await waitFor(() => expect(button.getAttribute('aria-pressed')).toBe('true'));
    await user.click(button);
    expect((await screen.findByRole('alert')).textContent).toBe('Le service est momentanément indisponible.');
    expect(button.getAttribute('aria-pressed')).toBe('true');
  });
});
