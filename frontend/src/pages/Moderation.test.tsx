// @vitest-environment jsdom
// The moderation area: who may see it, the reports queue (open / resolved, load more),
// resolving with a required note after a confirmation, the listings held for review (approve,
// reject with a note), unhiding a hidden listing, and the audit log.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Moderation from './Moderation';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';

const MOD = { ...ME, role: 'moderator' as const };
const SELLER = '0193b9a4-0000-7000-8000-0000000000a1';
const listing = (n: number, over: Record<string, unknown> = {}) => ({
  id: `0193b9a4-0000-7000-8000-0000000002${String(n).padStart(2, '0')}`,
  title: `Robin DR400 n°${n}`,
  status: 'published',
  seller_id: SELLER,
  seller_name: 'Aéroclub du Vexin',
  seller_status: 'active',
  open_reports: 2,
  total_reports: 3,
  ...over,
});
const report = (n: number, over: Record<string, unknown> = {}) => ({
  id: `0193b9a4-0000-7000-8000-0000000003${String(n).padStart(2, '0')}`,
  reason: 'scam',
  comment: 'Asks for a bank transfer before any visit.',
  state: 'open',
  created_at: '2026-11-28T09:30:00Z',
  reporter_id: '0193b9a4-0000-7000-8000-0000000000b1',
  listing: listing(n),
  ...over,
});
const entry = (n: number, over: Record<string, unknown> = {}) => ({
  id: `0193b9a4-0000-7000-8000-0000000004${String(n).padStart(2, '0')}`,
  moderator_id: MOD.id,
  action: 'hide_listing',
  listing_id: listing(n).id,
  target_user_id: SELLER,
  reports: 2,
  note: `Duplicate of an old listing (${n})`,
  created_at: '2026-11-28T10:00:00Z',
  ...over,
});

const pending = (n: number, over: Record<string, unknown> = {}) => ({
  listing: {
    id: `0193b9a4-0000-7000-8000-0000000005${String(n).padStart(2, '0')}`,
    version: 2,
    status: 'pending_review',
    title: `Jodel D112 n°${n}`,
    price: { amount: 2500000, currency: 'EUR', kind: 'fixed' },
    created_at: '2026-11-27T08:00:00Z',
    submitted_at: `2026-11-28T0${n}:15:00Z`,
  },
  category: 'aircraft',
  submitted_at: `2026-11-28T0${n}:15:00Z`,
  seller: {
    id: '0193b9a4-0000-7000-8000-0000000000d1',
    display_name: 'Jean Martin',
    professional: false,
    status: 'active',
    member_since: '2026-11-20T10:00:00Z',
  },
  ...over,
});

describe('moderation area', () => {
  it('is not found for members who are not moderators', async () => {
    const calls = fakeApi({ 'POST /api/v1/auth/refresh': session(ME) });
    renderPage(<Moderation />, { path: '/moderation', pattern: '/moderation/:section?', lang: 'en' });
    await screen.findByRole('heading', { level: 1, name: 'Page not found' });
    expect(calls.some((c) => c.path.startsWith('/api/v1/moderation'))).toBe(false);
  });

  it('sends visitors to log in and back', async () => {
    fakeApi({ 'POST /api/v1/auth/refresh': session(null) });
    const { router } = renderPage(<Moderation />, { path: '/moderation', pattern: '*', lang: 'en' });
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/moderation')}`);
  });

  it('lists open reports with their listing, seller and counts, and loads more with the cursor', async () => {
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(MOD),
      'GET /api/v1/moderation/reports': (c) =>
        c.query.get('state') === 'resolved'
          ? {
              body: {
                items: [report(9, { state: 'resolved', resolution: 'dismiss', resolved_at: '2026-11-28T12:00:00Z', note: 'Nothing wrong.', listing: listing(9, { open_reports: 0 }) })],
                next_cursor: null,
              },
            }
          : c.query.get('cursor') === 'page-2'
            ? { body: { items: [report(2, { reason: 'other', comment: null, listing: listing(2, { status: 'hidden', seller_status: 'suspended' }) })], next_cursor: null } }
            : { body: { items: [report(1)], next_cursor: 'page-2' } },
    });
    const { router } = renderPage(<Moderation />, { path: '/moderation', pattern: '/moderation/:section?', lang: 'en' });
    const first = await screen.findByRole('article', { name: 'Robin DR400 n°1' });
    const f = within(first);
    expect(f.getByRole('link', { name: 'Robin DR400 n°1' }).getAttribute('href')).toBe(`/listings/${listing(1).id}`);
    expect(first.textContent).toContain('Listing status: Published');
    expect(first.textContent).toContain('Seller: Aéroclub du Vexin (account active)');
    expect(first.textContent).toContain('Reason: Scam or fraud');
    expect(first.textContent).toContain('Asks for a bank transfer before any visit.');
    expect(f.getByTestId('report-counts').textContent).toBe('2 open report(s) on this listing, 3 in all');
    expect(f.getByRole('button', { name: 'Hide the listing: Robin DR400 n°1' })).toBeTruthy();
    expect(calls.find((c) => c.path === '/api/v1/moderation/reports')?.query.get('state')).toBe('open');

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    const second = await screen.findByRole('article', { name: 'Robin DR400 n°2' });
    expect(second.textContent).toContain('Listing status: Hidden by a moderator');
    expect(second.textContent).toContain('(account suspended)');
    expect(second.textContent).toContain('Reason: Something else');
    expect(second.textContent).toContain('No comment.');
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
    expect(calls.filter((c) => c.path === '/api/v1/moderation/reports').map((c) => c.query.get('cursor'))).toEqual([null, 'page-2']);

    // Resolved reports: how and why, no actions.
    await user.click(screen.getByRole('button', { name: 'Resolved' }));
    const resolved = await screen.findByRole('article', { name: 'Robin DR400 n°9' });
    expect(router.state.location.search).toBe('?state=resolved');
    expect(resolved.textContent).toContain('Dismiss');
    expect(resolved.textContent).toContain('Note: Nothing wrong.');
    expect(within(resolved).queryByRole('button')).toBeNull();
  });

  it('hides a listing after a confirmation with a required note, then reads the queue again', async () => {
    let resolved = false;
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(MOD),
      'GET /api/v1/moderation/reports': () => ({ body: { items: resolved ? [] : [report(1)], next_cursor: null } }),
      [`POST /api/v1/moderation/reports/${report(1).id}/resolve`]: (c) => {
        resolved = true;
        return { body: entry(1, { action: (c.body as { action: string }).action, note: (c.body as { note: string }).note }) };
      },
    });
    renderPage(<Moderation />, { path: '/moderation/reports', pattern: '/moderation/:section?', lang: 'en' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Hide the listing: Robin DR400 n°1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Hide the listing: Robin DR400 n°1' });
    const d = within(dialog);
    expect(dialog.textContent).toContain('its seller is told');
    // No note: said, nothing sent.
    await user.click(d.getByRole('button', { name: 'Confirm: Hide the listing' }));
    expect(d.getByText('A note is required.')).toBeTruthy();
    expect(calls.some((c) => c.path.endsWith('/resolve'))).toBe(false);
    const note = d.getByLabelText('Note for the log (required)');
    expect(note.getAttribute('maxlength')).toBe('2000');
    await user.type(note, 'Duplicate of a sold aircraft.');
    await user.click(d.getByRole('button', { name: 'Confirm: Hide the listing' }));
    await screen.findByText('“Robin DR400 n°1”: Hide the listing (2 report(s) resolved).');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.find((c) => c.path.endsWith('/resolve'))?.body).toEqual({ action: 'hide_listing', note: 'Duplicate of a sold aircraft.' });
    // The queue is read again: the report is gone.
    await screen.findByText('No report waiting.');
    expect(calls.filter((c) => c.path === '/api/v1/moderation/reports').length).toBe(2);
  });

  it("says the API's refusal in the dialog (409: a moderator cannot be suspended)", async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(MOD),
      'GET /api/v1/moderation/reports': { body: { items: [report(1)], next_cursor: null } },
      [`POST /api/v1/moderation/reports/${report(1).id}/resolve`]: {
        status: 409,
        body: problemBody(409, 'conflict', 'Moderators cannot suspend moderators or administrators.'),
      },
    });
    renderPage(<Moderation />, { path: '/moderation', pattern: '/moderation/:section?', lang: 'fr' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Suspendre le vendeur : Robin DR400 n°1' }));
    const d = within(await screen.findByRole('dialog', { name: 'Suspendre le vendeur : Robin DR400 n°1' }));
    await user.type(d.getByLabelText('Note pour le journal (obligatoire)'), 'Arnaques répétées.');
    await user.click(d.getByRole('button', { name: 'Confirmer : Suspendre le vendeur' }));
    expect((await d.findByRole('alert')).textContent).toContain('Moderators cannot suspend moderators or administrators.');
    await user.click(d.getByRole('button', { name: 'Annuler' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('shows the audit log as a table and loads more', async () => {
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session({ ...ME, role: 'admin' }),
      'GET /api/v1/moderation/audit': (c) =>
        c.query.get('cursor') === 'next'
          ? { body: { items: [entry(2, { moderator_id: '0193b9a4-0000-7000-8000-0000000000c9', action: 'dismiss', reports: 1 })], next_cursor: null } }
          : { body: { items: [entry(1)], next_cursor: 'next' } },
    });
    renderPage(<Moderation />, { path: '/moderation/audit', pattern: '/moderation/:section?', lang: 'en' });
    const table = await screen.findByRole('table', { name: 'Audit log' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
      'Date',
      'Moderator',
      'Action',
      'Target',
      'Reports resolved',
      'Note',
    ]);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    await waitFor(() => expect(within(table).getAllByTestId('audit-entry')).toHaveLength(2));
    const [one, two] = within(table).getAllByTestId('audit-entry');
    expect(one?.textContent).toContain('you');
    expect(one?.textContent).toContain('Hide the listing');
    expect(one?.textContent).toContain('Duplicate of an old listing (1)');
    expect(within(one as HTMLElement).getByRole('link').getAttribute('href')).toBe(`/listings/${listing(1).id}`);
    expect(two?.textContent).toContain('0193b9a4');
    expect(two?.textContent).toContain('Dismiss');
    expect(calls.filter((c) => c.path === '/api/v1/moderation/audit').map((c) => c.query.get('cursor'))).toEqual([null, 'next']);
  });
  it('lists the listings held for review with price, category, seller and date, and loads more', async () => {
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(MOD),
      'GET /api/v1/categories': {
        body: { items: [{ id: 'c1', slug: 'aircraft', name_fr: 'Avions', name_en: 'Aircraft', attribute_group: 'aircraft', position: 1, active: true, listing_count: 3, children: [] }] },
      },
      'GET /api/v1/moderation/pending': (c) =>
        c.query.get('cursor') === 'p2'
          ? { body: { items: [pending(2, { seller: { ...pending(2).seller, professional: true, company_name: 'Aéro Services' } })], next_cursor: null } }
          : { body: { items: [pending(1)], next_cursor: 'p2' } },
    });
    renderPage(<Moderation />, { path: '/moderation/pending', pattern: '/moderation/:section?', lang: 'en' });
    const first = await screen.findByRole('article', { name: 'Jodel D112 n°1' });
    expect(screen.getByRole('link', { name: 'Pending review' }).getAttribute('href')).toBe('/moderation/pending');
    expect(within(first).getByRole('link', { name: 'Jodel D112 n°1' }).getAttribute('href')).toBe(`/listings/${pending(1).listing.id}`);
    expect(first.textContent).toContain('€25,000');
    await waitFor(() => expect(first.textContent).toContain('Aircraft'));
    expect(first.textContent).toContain('Seller: Jean Martin (account active)');
    expect(first.textContent).toContain('member since');
    expect(first.textContent).toContain('Submitted on');
    expect(within(first).getByRole('button', { name: 'Approve the listing: Jodel D112 n°1' })).toBeTruthy();
    expect(within(first).getByRole('button', { name: 'Reject the listing: Jodel D112 n°1' })).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    const second = await screen.findByRole('article', { name: 'Jodel D112 n°2' });
    expect(second.textContent).toContain('Seller: Aéro Services (account active) · professional');
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
    expect(calls.filter((c) => c.path === '/api/v1/moderation/pending').map((c) => c.query.get('cursor'))).toEqual([null, 'p2']);
  });

  it('says when nothing waits for review (French)', async () => {
    fakeApi({ 'POST /api/v1/auth/refresh': session(MOD), 'GET /api/v1/moderation/pending': { body: { items: [], next_cursor: null } } });
    renderPage(<Moderation />, { path: '/moderation/pending', pattern: '/moderation/:section?', lang: 'fr' });
    await screen.findByText('Aucune annonce en attente de relecture.');
    expect(screen.getByRole('link', { name: 'En attente de relecture' })).toBeTruthy();
  });

  it('approves a held listing after a confirmation, then reads the queue again', async () => {
    let approved = false;
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(MOD),
      'GET /api/v1/moderation/pending': () => ({ body: { items: approved ? [] : [pending(1)], next_cursor: null } }),
      [`POST /api/v1/moderation/listings/${pending(1).listing.id}/approve`]: () => {
        approved = true;
        return { body: { listing: { ...pending(1).listing, status: 'published' }, audit: entry(1, { action: 'approve_listing', note: null, reports: 0 }) } };
      },
    });
    renderPage(<Moderation />, { path: '/moderation/pending', pattern: '/moderation/:section?', lang: 'en' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Approve the listing: Jodel D112 n°1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Approve the listing: Jodel D112 n°1' });
    expect(dialog.textContent).toContain("Jean Martin's next listings will be published without review");
    expect(calls.some((c) => c.path.endsWith('/approve'))).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Confirm: Approve the listing' }));
    await screen.findByText('“Jodel D112 n°1” is published.');
    expect(screen.queryByRole('dialog')).toBeNull();
    const call = calls.find((c) => c.path.endsWith('/approve'));
    expect(call?.method).toBe('POST');
    await screen.findByText('No listing waiting for review.');
    expect(calls.filter((c) => c.path === '/api/v1/moderation/pending').length).toBe(2);
  });

  it('rejects with a required note the seller reads, and says a 409 when another moderator decided first', async () => {
    let tries = 0;
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(MOD),
      'GET /api/v1/moderation/pending': { body: { items: [pending(1)], next_cursor: null } },
      [`POST /api/v1/moderation/listings/${pending(1).listing.id}/reject`]: () => {
        tries += 1;
        return tries === 1
          ? { status: 422, body: { ...problemBody(422, 'validation', 'Invalid input.'), errors: { note: ['At most 2000 characters.'] } } }
          : { status: 409, body: problemBody(409, 'conflict', 'The listing is not waiting for review.') };
      },
    });
    renderPage(<Moderation />, { path: '/moderation/pending', pattern: '/moderation/:section?', lang: 'en' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Reject the listing: Jodel D112 n°1' }));
    const d = within(await screen.findByRole('dialog', { name: 'Reject the listing: Jodel D112 n°1' }));
    await user.click(d.getByRole('button', { name: 'Confirm: Reject the listing' }));
    expect(d.getByText('A note is required.')).toBeTruthy();
    expect(calls.some((c) => c.path.endsWith('/reject'))).toBe(false);
    const note = d.getByLabelText('Note for the log (required)');
    expect(note.getAttribute('maxlength')).toBe('2000');
    await user.type(note, 'Photos of another aircraft.');
    expect(d.getByText('27 / 2000 characters; the seller reads this note, also kept in the audit log.')).toBeTruthy();
    await user.click(d.getByRole('button', { name: 'Confirm: Reject the listing' }));
    expect(await d.findByText('At most 2000 characters.')).toBeTruthy();
    expect(note.getAttribute('aria-invalid')).toBe('true');
    await user.click(d.getByRole('button', { name: 'Confirm: Reject the listing' }));
    expect((await d.findByRole('alert')).textContent).toContain('The listing is not waiting for review.');
    expect(calls.filter((c) => c.path.endsWith('/reject')).map((c) => c.body)).toEqual([
      { note: 'Photos of another aircraft.' },
      { note: 'Photos of another aircraft.' },
    ]);
  });

  it('unhides a listing still hidden from its resolved report, with a required note, and says its status', async () => {
    const hiddenReport = report(5, {
      state: 'resolved',
      resolution: 'hide_listing',
      resolved_at: '2026-11-28T12:00:00Z',
      note: 'Looked like a scam.',
      listing: listing(5, { status: 'hidden', open_reports: 0 }),
    });
    let unhidden = false;
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(MOD),
      'GET /api/v1/moderation/reports': () => ({
        body: {
          items: [
            unhidden ? { ...hiddenReport, listing: listing(5, { status: 'published', open_reports: 0 }) } : hiddenReport,
            report(6, { state: 'resolved', resolution: 'hide_listing', resolved_at: '2026-11-28T12:00:00Z', listing: listing(6, { status: 'published' }) }),
          ],
          next_cursor: null,
        },
      }),
      [`POST /api/v1/moderation/listings/${listing(5).id}/unhide`]: (c) => {
        unhidden = true;
        return {
          body: {
            listing: { ...pending(1).listing, id: listing(5).id, title: listing(5).title, status: 'published' },
            audit: entry(5, { action: 'unhide_listing', note: (c.body as { note: string }).note, reports: 0 }),
          },
        };
      },
    });
    renderPage(<Moderation />, { path: '/moderation/reports?state=resolved', pattern: '/moderation/:section?', lang: 'en' });
    const card = await screen.findByRole('article', { name: 'Robin DR400 n°5' });
    // Only a listing still hidden can be put back.
    expect(within(await screen.findByRole('article', { name: 'Robin DR400 n°6' })).queryByRole('button')).toBeNull();
    const user = userEvent.setup();
    await user.click(within(card).getByRole('button', { name: 'Unhide the listing: Robin DR400 n°5' }));
    const d = within(await screen.findByRole('dialog', { name: 'Unhide the listing: Robin DR400 n°5' }));
    await user.click(d.getByRole('button', { name: 'Confirm: Unhide the listing' }));
    expect(d.getByText('A note is required.')).toBeTruthy();
    expect(calls.some((c) => c.path.endsWith('/unhide'))).toBe(false);
    await user.type(d.getByLabelText('Note for the log (required)'), 'The seller proved ownership.');
    await user.click(d.getByRole('button', { name: 'Confirm: Unhide the listing' }));
    await screen.findByText('“Robin DR400 n°5” is back (status: Published).');
    expect(calls.find((c) => c.path.endsWith('/unhide'))?.body).toEqual({ note: 'The seller proved ownership.' });
    await waitFor(() => expect(within(screen.getByRole('article', { name: 'Robin DR400 n°5' })).queryByRole('button')).toBeNull());
  });
});
