// @vitest-environment jsdom
// The listing page, for moderators: a hidden listing (the API shows it to them) can be put back
// from the page itself, with the moderation area's confirmation and its required note.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Listing from './Listing';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';

const ID = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21';
const SELLER = { id: '0193b9a4-0000-7000-8000-0000000000a1', display_name: 'Aéroclub du Vexin', professional: false };
const MOD = { ...ME, role: 'moderator' as const };
const view = (status: string) => ({
  id: ID,
  status,
  category: 'aircraft',
  title: 'Robin DR400-140B',
  description: 'Quatre places, entoilage refait.',
  price: { amount: 6_500_000, currency: 'EUR', kind: 'fixed' },
  condition: 'used',
  location: { city: 'Pontoise', country: 'FR' },
  show_phone: false,
  attributes: {},
  seller: SELLER,
  photos: [],
  price_history: [],
  price_dropped: false,
  version: 5,
  view_count: 12,
  favourite_count: 1,
  created_at: '2026-11-20T10:00:00Z',
  updated_at: '2026-11-28T10:00:00Z',
  published_at: '2026-11-20T10:00:00Z',
});
// What the page reads besides the listing (nothing of interest here).
const around = {
  [`GET /api/v1/listings/${ID}/similar`]: { body: { items: [] } },
  'GET /api/v1/categories': { body: { items: [] } },
  'GET /api/v1/users/me/favorites': { body: { items: [], next_cursor: null } },
};
const UNHIDE = `POST /api/v1/moderation/listings/${ID}/unhide`;

describe('listing page, moderators', () => {
  it('unhides a hidden listing after a confirmation with a required note, says its status and reads it again', async () => {
    let status = 'hidden';
    const calls = fakeApi({
      ...around,
      'POST /api/v1/auth/refresh': session(MOD),
      [`GET /api/v1/listings/${ID}`]: () => ({ body: view(status) }),
      [UNHIDE]: (c) => {
        status = 'published';
        return {
          body: {
            listing: { ...view('published'), version: 6 },
            audit: {
              id: '0193b9a4-0000-7000-8000-000000000401',
              moderator_id: MOD.id,
              action: 'unhide_listing',
              listing_id: ID,
              target_user_id: SELLER.id,
              reports: 0,
              note: (c.body as { note: string }).note,
              created_at: '2026-11-28T12:00:00Z',
            },
          },
        };
      },
    });
    renderPage(<Listing />, { path: `/listings/${ID}`, pattern: '/listings/:id' });
    const box = await screen.findByRole('region', { name: 'Modération' });
    expect(box.textContent).toContain('Le public ne la voit pas');
    expect(screen.getByText('Masquée par la modération')).toBeTruthy();
    const user = userEvent.setup();
    await user.click(within(box).getByRole('button', { name: "Remettre l'annonce en ligne" }));
    const dialog = await screen.findByRole('dialog', { name: "Remettre l'annonce en ligne : Robin DR400-140B" });
    const d = within(dialog);
    expect(dialog.textContent).toContain('son vendeur est prévenu');
    await user.click(d.getByRole('button', { name: "Confirmer : Remettre l'annonce en ligne" }));
    expect(d.getByText('Une note est obligatoire.')).toBeTruthy();
    expect(calls.some((c) => c.path.endsWith('/unhide'))).toBe(false);
    const note = d.getByLabelText('Note pour le journal (obligatoire)');
    expect(note.getAttribute('maxlength')).toBe('2000');
    await user.type(note, 'Le vendeur a prouvé la propriété.');
    await user.click(d.getByRole('button', { name: "Confirmer : Remettre l'annonce en ligne" }));
    const outcome = await within(box).findByRole('status');
    expect(outcome.textContent).toBe('« Robin DR400-140B » est remise en ligne (statut : Publiée).');
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(outcome));
    expect(calls.filter((c) => c.path.endsWith('/unhide')).map((c) => [c.method, c.body])).toEqual([
      ['POST', { note: 'Le vendeur a prouvé la propriété.' }],
    ]);
    // The listing is read again: no longer marked hidden, and no way to unhide it twice.
    await waitFor(() => expect(calls.filter((c) => c.path === `/api/v1/listings/${ID}`)).toHaveLength(2));
    await waitFor(() => expect(screen.queryByText('Masquée par la modération')).toBeNull());
    expect(within(box).queryByRole('button')).toBeNull();
  });

  it("says the API's refusal in the dialog (409: another moderator put it back first)", async () => {
    fakeApi({
      ...around,
      'POST /api/v1/auth/refresh': session({ ...ME, role: 'admin' }),
      [`GET /api/v1/listings/${ID}`]: { body: view('hidden') },
      [UNHIDE]: { status: 409, body: problemBody(409, 'conflict', 'This listing is published, not hidden.') },
    });
    renderPage(<Listing />, { path: `/listings/${ID}`, pattern: '/listings/:id', lang: 'en' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Unhide the listing' }));
    const d = within(await screen.findByRole('dialog', { name: 'Unhide the listing: Robin DR400-140B' }));
    await user.type(d.getByLabelText('Note for the log (required)'), 'Mistake.');
    await user.click(d.getByRole('button', { name: 'Confirm: Unhide the listing' }));
    expect((await d.findByRole('alert')).textContent).toContain('This listing is published, not hidden.');
    await user.click(d.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByRole('button', { name: 'Unhide the listing' })).toBeTruthy();
  });

  it('offers it to moderators on hidden listings only, never to the seller', async () => {
    fakeApi({ ...around, 'POST /api/v1/auth/refresh': session(MOD), [`GET /api/v1/listings/${ID}`]: { body: view('published') } });
    const first = renderPage(<Listing />, { path: `/listings/${ID}`, pattern: '/listings/:id' });
    await screen.findByRole('heading', { level: 1, name: 'Robin DR400-140B' });
    expect(screen.queryByTestId('listing-moderation')).toBeNull();
    first.unmount();

    fakeApi({ ...around, 'POST /api/v1/auth/refresh': session({ ...ME, id: SELLER.id }), [`GET /api/v1/listings/${ID}`]: { body: view('hidden') } });
    renderPage(<Listing />, { path: `/listings/${ID}`, pattern: '/listings/:id' });
    await screen.findByRole('heading', { level: 1, name: 'Robin DR400-140B' });
    expect(screen.getByText('Masquée par la modération')).toBeTruthy();
    expect(screen.queryByTestId('listing-moderation')).toBeNull();
    expect(screen.queryByRole('button', { name: "Remettre l'annonce en ligne" })).toBeNull();
  });

  it('reads a listing only moderators may see with the session of a fresh page load, not before it', async () => {
    // As the API does: a hidden listing is not found for an anonymous read.
    const calls = fakeApi({
      ...around,
      'POST /api/v1/auth/refresh': session(MOD),
      [`GET /api/v1/listings/${ID}`]: (c) =>
        c.headers.get('Authorization') === 'Bearer test-access'
          ? { body: view('hidden') }
          : { status: 404, body: problemBody(404, 'not-found', 'No such listing.') },
    });
    renderPage(<Listing />, { path: `/listings/${ID}`, pattern: '/listings/:id' });
    await screen.findByRole('heading', { level: 1, name: 'Robin DR400-140B' });
    expect(screen.getByRole('region', { name: 'Modération' })).toBeTruthy();
    expect(calls.filter((c) => c.path === `/api/v1/listings/${ID}`).map((c) => c.headers.get('Authorization'))).toEqual(['Bearer test-access']);
  });
});
