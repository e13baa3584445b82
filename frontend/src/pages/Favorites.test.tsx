// @vitest-environment jsdom
// My favourites: each listing as it is now, the change of price since it was saved, its status,
// and removal.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Favorites from './Favorites';
import { fakeApi, ME, plain, renderPage, session } from '../test/render';

const A = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21';
const B = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c22';
const C = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c23';
const summary = (id: string, title: string, amount: number, status = 'published') => ({
  id, version: 1, status, title, price: { amount, currency: 'EUR', kind: 'fixed' }, created_at: '2026-11-28T20:04:08Z',
});

describe('favourites page', () => {
  it('shows status, current price and change since saved, and removes one', async () => {
    let items = [
      { listing_id: A, saved_at: '2026-11-20T10:00:00Z', status: 'published', available: true,
        listing: summary(A, 'Robin DR400-140B', 6_200_000), saved_price: { amount: 6_500_000, currency: 'EUR' }, price_change: -300_000 },
      { listing_id: B, saved_at: '2026-11-21T10:00:00Z', status: 'sold', available: true,
        listing: summary(B, 'Cessna 172', 9_000_000, 'sold'), saved_price: { amount: 9_000_000, currency: 'EUR' }, price_change: 0 },
      { listing_id: C, saved_at: '2026-11-22T10:00:00Z', status: 'withdrawn', available: false },
    ];
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/favorites': () => ({ body: { items, next_cursor: null } }),
      [`DELETE /api/v1/listings/${A}/favorite`]: () => ((items = items.filter((f) => f.listing_id !== A)), { status: 204 }),
    });
    renderPage(<Favorites />, { path: '/me/favorites' });
    const user = userEvent.setup();
    const rows = await screen.findAllByTestId('favorite');
    expect(rows).toHaveLength(3);
    const [a, b, c] = rows as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(a).getByRole('link', { name: 'Robin DR400-140B' }).getAttribute('href')).toBe(`/listings/${A}`);
    expect(plain(within(a).getByText(/€/, { selector: '.price-amount' }).textContent)).toBe('62 000 €');
    expect(plain(within(a).getByTestId('price-change').textContent)).toBe(
      "En baisse de 3 000 € (prix quand vous l'avez gardée : 65 000 €)",
    );
    expect(within(b).getByTestId('favorite-status').textContent).toBe('Vendue');
    expect(within(b).getByTestId('price-change').textContent).toBe("Prix inchangé depuis que vous l'avez gardée");
    // No longer visible: no link, its status said.
    expect(within(c).queryByRole('link')).toBeNull();
    expect(within(c).getByTestId('favorite-status').textContent).toBe('Retirée');

    await user.click(within(a).getByRole('button', { name: 'Retirer des favoris : Robin DR400-140B' }));
    await waitFor(() => expect(screen.getAllByTestId('favorite')).toHaveLength(2));
    expect(calls.filter((x) => x.method === 'DELETE').map((x) => x.path)).toEqual([`/api/v1/listings/${A}/favorite`]);
  });
});
