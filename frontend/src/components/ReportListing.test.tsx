// @vitest-environment jsdom
// "Report this listing": the dialog, the reasons, the comment rules, and the API's answers.
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ReportListing } from './ReportListing';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';
import { LISTING, OTHER } from '../test/messages';

const REPORTS = `POST /api/v1/listings/${LISTING}/reports`;
const created = (body: unknown) => ({
  status: 201,
  body: { id: '0193b9a4-0000-7000-8000-0000000000f1', listing_id: LISTING, state: 'open', created_at: '2026-11-29T03:00:00Z', ...(body as object) },
});

async function openDialog() {
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Report this listing' }));
  const dialog = await screen.findByRole('dialog', { name: 'Report this listing' });
  return { user, dialog };
}

describe('report a listing', () => {
  it('visitors get a link to log in and come back', async () => {
    fakeApi({ 'POST /api/v1/auth/refresh': session(null) });
    renderPage(<ReportListing listingId={LISTING} sellerId={OTHER} />, { path: `/listings/${LISTING}`, lang: 'en' });
    const link = await screen.findByRole('link', { name: 'Log in to report this listing' });
    expect(link.getAttribute('href')).toBe(`/login?next=${encodeURIComponent(`/listings/${LISTING}`)}`);
    expect(screen.queryByRole('button', { name: 'Report this listing' })).toBeNull();
  });

  it('is not offered on your own listing', async () => {
    const calls = fakeApi({ 'POST /api/v1/auth/refresh': session(ME) });
    renderPage(<ReportListing listingId={LISTING} sellerId={ME.id} />, { path: `/listings/${LISTING}`, lang: 'en' });
    // The session has loaded (the refresh answered) and nothing is offered, not even the login link.
    await waitFor(() => expect(calls.some((c) => c.path === '/api/v1/auth/refresh')).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByText('Log in to report this listing')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Report this listing' })).toBeNull();
  });

  it('sends the reason and comment, then thanks; the comment is required for "other"', async () => {
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      [REPORTS]: (c) => created(c.body),
    });
    renderPage(<ReportListing listingId={LISTING} sellerId={OTHER} />, { path: `/listings/${LISTING}`, lang: 'en' });
    const { user, dialog } = await openDialog();
    const d = within(dialog);
    // Every reason is a radio button; nothing sent without one.
    const radios = d.getAllByRole('radio');
    expect(radios.map((r) => r.getAttribute('value'))).toEqual(['scam', 'wrong_category', 'already_sold', 'duplicate', 'offensive', 'other']);
    await user.click(d.getByRole('button', { name: 'Send the report' }));
    expect(d.getByText('Choose a reason.')).toBeTruthy();
    // "Other" without a comment: said next to the comment, nothing sent.
    await user.click(d.getByRole('radio', { name: 'Something else' }));
    const comment = d.getByLabelText('Comment (required for “Something else”)');
    expect(comment.getAttribute('maxlength')).toBe('2000');
    expect(comment.getAttribute('aria-required')).toBe('true');
    await user.click(d.getByRole('button', { name: 'Send the report' }));
    expect(d.getByText('Tell the moderators what is wrong.')).toBeTruthy();
    expect(comment.getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/reports'))).toHaveLength(0);
    // A comment (trimmed) and the limits shown.
    await user.type(comment, '  Sold last week at LFPN ');
    expect(d.getByText('25 / 2000 characters; read by the moderators only.')).toBeTruthy();
    await user.click(d.getByRole('button', { name: 'Send the report' }));
    const thanks = await screen.findByText('Thank you: the moderators will look at this listing.');
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(thanks));
    const posts = calls.filter((c) => c.method === 'POST' && c.path.endsWith('/reports'));
    expect(posts.map((c) => c.body)).toEqual([{ reason: 'other', comment: 'Sold last week at LFPN' }]);
  });

  it('a reason without comment sends comment null', async () => {
    const calls = fakeApi({ 'POST /api/v1/auth/refresh': session(ME), [REPORTS]: (c) => created(c.body) });
    renderPage(<ReportListing listingId={LISTING} sellerId={OTHER} />, { path: `/listings/${LISTING}`, lang: 'fr' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Signaler cette annonce' }));
    const d = within(await screen.findByRole('dialog', { name: 'Signaler cette annonce' }));
    await user.click(d.getByRole('radio', { name: 'Arnaque ou fraude' }));
    await user.click(d.getByRole('button', { name: 'Envoyer le signalement' }));
    await screen.findByText('Merci : les modérateurs vont examiner cette annonce.');
    expect(calls.find((c) => c.path.endsWith('/reports'))?.body).toEqual({ reason: 'scam', comment: null });
  });

  it('409: says you reported it already; 429: too many today, with the API detail', async () => {
    let status = 409;
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      [REPORTS]: () =>
        status === 409
          ? { status, body: problemBody(409, 'conflict', 'You have an open report on this listing already.') }
          : { status, body: problemBody(429, 'rate-limited', 'At most 20 reports per 24 hours.'), headers: { 'Retry-After': '3600' } },
    });
    renderPage(<ReportListing listingId={LISTING} sellerId={OTHER} />, { path: `/listings/${LISTING}`, lang: 'en' });
    const { user, dialog } = await openDialog();
    const d = within(dialog);
    await user.click(d.getByRole('radio', { name: 'Duplicate listing' }));
    await user.click(d.getByRole('button', { name: 'Send the report' }));
    const alert = await d.findByRole('alert');
    expect(alert.textContent).toContain('You have reported this listing already');
    expect(within(alert).getByRole('link', { name: 'See my reports' }).getAttribute('href')).toBe('/me/reports');
    status = 429;
    await user.click(d.getByRole('button', { name: 'Send the report' }));
    await waitFor(() => expect(d.getByRole('alert').textContent).toContain('You have sent too many reports today'));
    expect(d.getByRole('alert').textContent).toContain('At most 20 reports per 24 hours.');
  });

  it("shows the API's field error next to the comment, and Escape (cancel) closes", async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      [REPORTS]: { status: 422, body: problemBody(422, 'validation', 'Invalid.', { comment: ['must not be only spaces'] }) },
    });
    renderPage(<ReportListing listingId={LISTING} sellerId={OTHER} />, { path: `/listings/${LISTING}`, lang: 'en' });
    const { user, dialog } = await openDialog();
    const d = within(dialog);
    await user.click(d.getByRole('radio', { name: 'Offensive content' }));
    await user.click(d.getByRole('button', { name: 'Send the report' }));
    await d.findByText('must not be only spaces');
    expect(d.getByLabelText('Comment (optional)').getAttribute('aria-invalid')).toBe('true');
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByRole('button', { name: 'Report this listing' })).toBeTruthy();
  });
});
