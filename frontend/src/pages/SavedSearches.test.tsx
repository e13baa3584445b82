// @vitest-environment jsdom
// Saved searches: open the search, change its name or frequency (only what changed is sent, the
// API's error next to its field), delete after confirming.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import SavedSearches from './SavedSearches';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';

const S = '0193b9a4-0000-7000-8000-0000000000b1';
const saved = (over: Record<string, unknown> = {}) => ({
  id: S, name: 'DR400 près de Paris', query: { q: 'dr400', near: 'LFPN', radius_km: 150 },
  query_string: 'near=LFPN&q=dr400&radius_km=150', frequency: 'daily',
  created_at: '2026-11-28T20:04:08Z', updated_at: '2026-11-28T20:04:08Z', ...over,
});

describe('saved searches page', () => {
  it('opens, edits and deletes a saved search', async () => {
    let current: ReturnType<typeof saved> | null = saved();
    let patches = 0;
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/saved-searches': () => ({ body: { items: current ? [current] : [] } }),
      [`PATCH /api/v1/users/me/saved-searches/${S}`]: (call) =>
        patches++ === 0
          ? { status: 422, body: problemBody(422, 'validation', 'Invalid.', { name: ['must be one line'] }) }
          : { body: (current = saved(call.body as Record<string, unknown>)) },
      [`DELETE /api/v1/users/me/saved-searches/${S}`]: () => ((current = null), { status: 204 }),
    });
    renderPage(<SavedSearches />, { path: '/me/saved-searches' });
    const user = userEvent.setup();
    const row = await screen.findByTestId('saved-search');
    expect(within(row).getByRole('link', { name: 'Lancer la recherche « DR400 près de Paris »' }).getAttribute('href')).toBe(
      '/search?near=LFPN&q=dr400&radius_km=150',
    );
    const freq = within(row).getByLabelText('Alertes par e-mail') as HTMLSelectElement;
    expect(freq.value).toBe('daily');
    await user.selectOptions(freq, 'instant');
    await user.click(within(row).getByRole('button', { name: 'Enregistrer les modifications' }));
    expect(await within(row).findByText('must be one line')).toBeTruthy();
    expect(within(row).getByLabelText('Nom de la recherche').getAttribute('aria-invalid')).toBe('true');
    await user.click(within(row).getByRole('button', { name: 'Enregistrer les modifications' }));
    await waitFor(() => expect(within(row).getByRole('status').textContent).toBe('Modifications enregistrées.'));
    // Only what changed is sent.
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ frequency: 'instant' }, { frequency: 'instant' }]);
    expect(within(row).getByText(/Immédiatement/, { selector: 'p' })).toBeTruthy();

    await user.click(within(row).getByRole('button', { name: 'Supprimer' }));
    await user.click(within(row).getByRole('button', { name: 'Supprimer « DR400 près de Paris » pour de bon' }));
    await waitFor(() => expect(screen.queryByTestId('saved-search')).toBeNull());
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([`/api/v1/users/me/saved-searches/${S}`]);
  });
});
