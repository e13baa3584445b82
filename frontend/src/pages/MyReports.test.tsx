// @vitest-environment jsdom
// My reports: each report with its status (never a hidden listing's title), withdraw an open one
// after confirming, a 409 when a moderator got there first, more pages, French.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import MyReports from './MyReports';
import { fakeApi, ME, plain, problemBody, renderPage, session } from '../test/render';

const L1 = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21';
const L2 = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c22';
const R1 = '0193b9a4-0000-7000-8000-0000000000d1';
const R2 = '0193b9a4-0000-7000-8000-0000000000d2';
const WITHDRAW = `POST /api/v1/users/me/reports/${R1}/withdraw`;

type Status = 'open' | 'dismissed' | 'actioned' | 'withdrawn';
const open = (status: Status = 'open') => ({
  id: R1, listing_id: L1, listing_title: 'Robin DR400-140B', reason: 'scam', comment: 'Virement demandé d’avance.',
  status, created_at: '2026-11-28T10:00:00Z',
});
// Hidden by a moderator since: the API leaves its title out.
const actioned = { id: R2, listing_id: L2, reason: 'duplicate', status: 'actioned', created_at: '2026-11-27T10:00:00Z',
  resolved_at: '2026-11-27T12:00:00Z' };

describe('my reports page', () => {
  it('lists reports with their status and withdraws an open one after confirming', async () => {
    let first: Status = 'open';
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/reports': () => ({ body: { items: [open(first), actioned] } }),
      [WITHDRAW]: () => ((first = 'withdrawn'), { status: 204 }),
    });
    const { container } = renderPage(<MyReports />, { path: '/me/reports', lang: 'en' });
    const user = userEvent.setup();
    const [mine, hidden] = (await screen.findAllByTestId('my-report')) as [HTMLElement, HTMLElement];

    expect(within(mine).getByTestId('report-status').textContent).toBe('Pending');
    expect(within(mine).getByRole('link', { name: 'Open the listing “Robin DR400-140B”' }).getAttribute('href')).toBe(`/listings/${L1}`);
    expect(plain(mine.textContent)).toContain('Reason: Scam or fraud');
    expect(plain(mine.textContent)).toContain('Virement demandé d’avance.');
    expect(within(hidden).getByTestId('report-status').textContent).toBe('Action taken');
    expect(within(hidden).getByRole('heading', { level: 2 }).textContent).toBe('Listing no longer online');
    expect(within(hidden).queryByRole('link')).toBeNull();
    expect(within(hidden).queryByRole('button')).toBeNull();
    // jsdom lays nothing out, so contrast is left to the browser tests.
    const audit = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
    expect(audit.violations.map((v) => v.id)).toEqual([]);

    // Cancel first: nothing sent.
    await user.click(within(mine).getByRole('button', { name: 'Withdraw the report on “Robin DR400-140B”' }));
    await user.click(within(mine).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.method === 'POST' && c.path.endsWith('/withdraw'))).toBe(false);

    await user.click(within(mine).getByRole('button', { name: 'Withdraw the report on “Robin DR400-140B”' }));
    expect(within(mine).getByText('Withdraw this report? The moderators will no longer see it.')).toBeTruthy();
    const yes = within(mine).getByRole('button', { name: 'Yes, withdraw' });
    expect(document.activeElement).toBe(yes);
    await user.click(yes);

    await waitFor(() => expect(screen.getByTestId('my-reports-status').textContent).toBe('Report on “Robin DR400-140B” withdrawn.'));
    await waitFor(() => expect(within(screen.getAllByTestId('my-report')[0] as HTMLElement).getByTestId('report-status').textContent).toBe('Withdrawn'));
    expect(screen.queryByRole('button', { name: /Withdraw/ })).toBeNull();
    expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/withdraw')).map((c) => c.path)).toEqual([
      `/api/v1/users/me/reports/${R1}/withdraw`,
    ]);
  });

  it('says so when a moderator dealt with the report first, and shows it as it now stands', async () => {
    let first: Status = 'open';
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/reports': () => ({ body: { items: [open(first)] } }),
      [WITHDRAW]: () => (
        (first = 'dismissed'), { status: 409, body: problemBody(409, 'conflict', 'A moderator has dealt with this report already.') }
      ),
    });
    renderPage(<MyReports />, { path: '/me/reports', lang: 'en' });
    const user = userEvent.setup();
    const row = await screen.findByTestId('my-report');
    await user.click(within(row).getByRole('button', { name: 'Withdraw the report on “Robin DR400-140B”' }));
    await user.click(within(row).getByRole('button', { name: 'Yes, withdraw' }));

    expect((await within(row).findByRole('alert')).textContent).toBe(
      'A moderator has dealt with this report already: it can no longer be withdrawn.',
    );
    await waitFor(() => expect(within(row).getByTestId('report-status').textContent).toBe('Dismissed'));
    expect(within(row).queryByRole('button', { name: /Withdraw/ })).toBeNull();
  });

  it('pages with the cursor, in French', async () => {
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/reports': (call) =>
        call.query.get('cursor') === 'page-2'
          ? { body: { items: [actioned] } }
          : { body: { items: [open()], next_cursor: 'page-2' } },
    });
    renderPage(<MyReports />, { path: '/me/reports', lang: 'fr' });
    const user = userEvent.setup();
    expect(await screen.findByRole('heading', { level: 1, name: 'Mes signalements' })).toBeTruthy();
    expect((await screen.findByTestId('report-status')).textContent).toBe('En attente');
    await user.click(screen.getByRole('button', { name: 'Voir plus' }));
    await waitFor(() => expect(screen.getAllByTestId('my-report')).toHaveLength(2));
    const statuses = screen.getAllByTestId('report-status').map((s) => s.textContent);
    expect(statuses).toEqual(['En attente', 'Mesure prise']);
    expect(screen.getByText('Annonce qui n’est plus en ligne')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Voir plus' })).toBeNull();
    expect(calls.filter((c) => c.path === '/api/v1/users/me/reports').map((c) => [c.query.get('limit'), c.query.get('cursor')])).toEqual([
      ['20', null],
      ['20', 'page-2'],
    ]);
  });

  it('says when there is nothing', async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/reports': { body: { items: [] } },
    });
    renderPage(<MyReports />, { path: '/me/reports', lang: 'fr' });
    expect(await screen.findByText('Vous n’avez signalé aucune annonce.')).toBeTruthy();
  });
});
