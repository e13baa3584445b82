// @vitest-environment jsdom
// Notifications: what happened, in words; mark one read, mark all read; links to the listing.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Notifications from './Notifications';
import { fakeApi, ME, plain, renderPage, session } from '../test/render';

const L = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21';
const N1 = '0193b9a4-0000-7000-8000-0000000000a1';
const N2 = '0193b9a4-0000-7000-8000-0000000000a2';

describe('notifications page', () => {
  it('lists them, marks one read, then all', async () => {
    const read = new Set<string>();
    const page = () => {
      const items = [
        { id: N1, kind: 'price_drop', created_at: '2026-11-28T10:00:00Z', listing_id: L, title: 'Robin DR400-140B',
          price: { amount: 6_200_000, currency: 'EUR' }, previous_price: { amount: 6_500_000, currency: 'EUR' } },
        { id: N2, kind: 'new_match', created_at: '2026-11-27T10:00:00Z', listing_id: L, title: 'Robin DR400-140B',
          price: { amount: 6_500_000, currency: 'EUR' }, saved_search: { id: 's1', name: 'DR400' } },
      ].map((n) => ({ ...n, read_at: read.has(n.id) ? '2026-11-28T11:00:00Z' : null }));
      return { body: { items, next_cursor: null, unread_count: items.filter((n) => !n.read_at).length } };
    };
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/notifications': page,
      [`POST /api/v1/users/me/notifications/${N1}/read`]: () => (read.add(N1), { body: {} }),
      'POST /api/v1/users/me/notifications/read-all': () => (read.add(N2), { body: { marked: 1, unread_count: 0 } }),
    });
    renderPage(<Notifications />, { path: '/me/notifications', lang: 'en' });
    const user = userEvent.setup();
    const rows = await screen.findAllByTestId('notification');
    expect(screen.getByTestId('unread-count').textContent).toBe('2 unread');
    const [drop, match] = rows as [HTMLElement, HTMLElement];
    expect(plain(drop.textContent)).toContain('Price drop on a favourite: Robin DR400-140B, €65,000 → €62,000');
    expect(plain(match.textContent)).toContain('New listing for “DR400”: Robin DR400-140B (€65,000)');
    expect(within(drop).getByRole('link', { name: 'Open the listing: Robin DR400-140B' }).getAttribute('href')).toBe(`/listings/${L}`);

    await user.click(within(drop).getByRole('button', { name: 'Mark read' }));
    await waitFor(() => expect(screen.getByTestId('unread-count').textContent).toBe('1 unread'));
    expect(within(screen.getAllByTestId('notification')[0] as HTMLElement).queryByRole('button', { name: 'Mark read' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(screen.getByTestId('unread-count').textContent).toBe('All read.'));
    expect(screen.queryByRole('button', { name: 'Mark read' })).toBeNull();
    expect(calls.filter((c) => c.method === 'POST' && c.path.includes('notifications')).map((c) => c.path)).toEqual([
      `/api/v1/users/me/notifications/${N1}/read`,
      '/api/v1/users/me/notifications/read-all',
    ]);
  });

  it('opens the thread of a new message', async () => {
    const C = '0193b9a4-0000-7000-8000-0000000000c1';
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/notifications': {
        body: {
          items: [{ id: N1, kind: 'new_message', created_at: '2026-11-28T10:00:00Z', listing_id: L, title: 'Robin DR400-140B',
            conversation_id: C, read_at: null }],
          next_cursor: null,
          unread_count: 1,
        },
      },
    });
    renderPage(<Notifications />, { path: '/me/notifications', lang: 'en' });
    const row = await screen.findByTestId('notification');
    expect(plain(row.textContent)).toContain('New message about “Robin DR400-140B”');
    expect(within(row).getByRole('link', { name: 'Read the conversation about “Robin DR400-140B”' }).getAttribute('href')).toBe(
      `/me/messages/${C}`,
    );
  });
});
