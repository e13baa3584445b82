// @vitest-environment jsdom
// My listings: lifecycle actions sent with the list's version as If-Match, and a stale version
// (412) said in words while the list is read again.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import MyListings from './MyListings';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';

const ID = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21';
const item = (version: number) => ({
  id: ID,
  version,
  status: 'published',
  title: 'Robin DR400-140B',
  price: { amount: 6_500_000, currency: 'EUR', kind: 'fixed' },
  created_at: '2026-11-28T20:04:08Z',
});

describe('my listings', () => {
  it('acts with the version from the list, and after a 412 says so and reads the list again', async () => {
    let listReads = 0;
    let reserves = 0;
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      // The first read has version 7; the listing was then changed elsewhere (version 8).
      'GET /api/v1/users/me/listings': () => ({ body: { items: [item(listReads++ === 0 ? 7 : 8)], next_cursor: null } }),
      [`POST /api/v1/listings/${ID}/reserve`]: () =>
        reserves++ === 0
          ? { status: 412, body: problemBody(412, 'precondition-failed', 'The listing changed since you read it.') }
          : { body: { ...item(9), status: 'reserved' } },
    });
    renderPage(<MyListings />, { path: '/me/listings' });
    const user = userEvent.setup();
    const card = (await screen.findByRole('group', { name: 'Robin DR400-140B' })) as HTMLElement;
    await user.click(within(card).getByRole('button', { name: 'Marquer réservée' }));
    const alert = await screen.findByTestId('my-conflict');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toBe(
      '« Robin DR400-140B » a changé entre-temps (ailleurs ou dans un autre onglet) : la liste est à jour, vérifiez et recommencez.',
    );
    await waitFor(() => expect(listReads).toBe(2));
    // No extra GET of the listing: the list's version is the ETag.
    expect(calls.filter((c) => c.path === `/api/v1/listings/${ID}`)).toEqual([]);
    await waitFor(() => expect(document.querySelector('.my-item')?.getAttribute('data-version')).toBe('8'));
    await user.click(within(screen.getByRole('group', { name: 'Robin DR400-140B' })).getByRole('button', { name: 'Marquer réservée' }));
    await waitFor(() => expect(reserves).toBe(2));
    const sent = calls.filter((c) => c.path === `/api/v1/listings/${ID}/reserve`).map((c) => c.headers.get('If-Match'));
    expect(sent).toEqual(['"7"', '"8"']);
    await waitFor(() => expect(screen.queryByTestId('my-conflict')).toBeNull());
  });

  it('explains listings awaiting review and shows the moderator’s remark on rejected ones', async () => {
    const asked: (string | null)[] = [];
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/listings': (call) => {
        const status = call.query.get('status');
        asked.push(status);
        if (status === 'rejected') {
          return { body: { items: [{ ...item(3), status: 'rejected', rejection_note: 'Photos d’un autre appareil.' }] } };
        }
        if (status === 'pending_review') {
          return { body: { items: [{ ...item(2), status: 'pending_review', submitted_at: '2026-11-28T21:00:00Z' }] } };
        }
        return { body: { items: [] } };
      },
    });
    renderPage(<MyListings />, { path: '/me/listings' });
    const user = userEvent.setup();

    await user.click(await screen.findByRole('tab', { name: 'En attente de relecture' }));
    expect(await screen.findByText(/relues par un modérateur avant d'être publiées/)).toBeTruthy();
    const pending = (await screen.findByRole('group', { name: 'Robin DR400-140B' })) as HTMLElement;
    expect(within(pending).queryByRole('button', { name: 'Publier' })).toBeNull();
    expect(within(pending).getByRole('button', { name: 'Retirer' })).toBeTruthy();
    expect(await screen.findByText(/^Soumise le/)).toBeTruthy();

    await user.click(screen.getByRole('tab', { name: 'Refusée par la modération' }));
    const note = await screen.findByTestId('rejection-note');
    expect(note.textContent).toBe('Remarque du modérateur : Photos d’un autre appareil.');
    const rejected = screen.getByRole('group', { name: 'Robin DR400-140B' });
    expect(within(rejected).getByRole('button', { name: 'Publier' })).toBeTruthy();
    expect(asked).toEqual(['published', 'pending_review', 'rejected']);
  });

  it('offers publish, not renew, on a withdrawn listing (the API refuses renew with 409), sent with its version', async () => {
    let published = false;
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/listings': (call) =>
        call.query.get('status') === 'withdrawn' && !published
          ? { body: { items: [{ ...item(4), status: 'withdrawn' }], next_cursor: null } }
          : { body: { items: [], next_cursor: null } },
      [`POST /api/v1/listings/${ID}/publish`]: () => ((published = true), { body: { ...item(5), status: 'published' } }),
    });
    renderPage(<MyListings />, { path: '/me/listings' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('tab', { name: 'Retirée' }));
    const card = (await screen.findByRole('group', { name: 'Robin DR400-140B' })) as HTMLElement;
    expect(within(card).getAllByRole('button').map((b) => b.textContent)).toEqual(['Modifier', 'Publier']);
    expect(within(card).queryByRole('button', { name: 'Renouveler' })).toBeNull();
    await user.click(within(card).getByRole('button', { name: 'Publier' }));
    await waitFor(() => expect(screen.queryByRole('group', { name: 'Robin DR400-140B' })).toBeNull());
    const sent = calls.filter((c) => c.path === `/api/v1/listings/${ID}/publish`);
    expect(sent.map((c) => [c.method, c.headers.get('If-Match')])).toEqual([['POST', '"4"']]);
    expect(calls.some((c) => c.path.endsWith('/renew'))).toBe(false);
  });

  it('offers in each status exactly the steps the API allows from it', async () => {
    // The API's lifecycle (Transition::apply in api/src/listings.rs), by tab.
    const allowed: [tab: string, status: string, buttons: string[]][] = [
      ['Publiée', 'published', ['Modifier', 'Renouveler', 'Marquer réservée', 'Marquer vendue', 'Retirer']],
      ['Brouillon', 'draft', ['Modifier', 'Publier', 'Retirer']],
      ['En attente de relecture', 'pending_review', ['Modifier', 'Retirer']],
      ['Refusée par la modération', 'rejected', ['Modifier', 'Publier', 'Retirer']],
      ['Réservée', 'reserved', ['Modifier', 'Remettre en vente', 'Marquer vendue', 'Retirer']],
      ['Vendue', 'sold', []],
      ['Expirée', 'expired', ['Modifier', 'Renouveler', 'Retirer']],
      ['Retirée', 'withdrawn', ['Modifier', 'Publier']],
      ['Masquée par la modération', 'hidden', ['Modifier']],
    ];
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/listings': (call) => ({
        // Named after its status, so each tab's card is told from the previous tab's.
        body: { items: [{ ...item(1), status: call.query.get('status'), title: `DR400 ${call.query.get('status')}` }], next_cursor: null },
      }),
    });
    renderPage(<MyListings />, { path: '/me/listings' });
    const user = userEvent.setup();
    await screen.findByRole('group', { name: 'DR400 published' });
    for (const [tab, status, buttons] of allowed) {
      await user.click(screen.getByRole('tab', { name: tab }));
      const card = await screen.findByRole('group', { name: `DR400 ${status}` });
      expect(within(card).queryAllByRole('button').map((b) => b.textContent), status).toEqual(buttons);
    }
  });
});
