// @vitest-environment jsdom
// "Save this search" on the results page: the URL's search (without its cursor) is the saved
// query; the API's 422 lands next to its field.
import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useSearchParams } from 'react-router';
import { SaveSearch } from './SaveSearch';
import { parseSearch } from '../search/params';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';

function OnSearchPage() {
  const [params] = useSearchParams();
  return <SaveSearch query={parseSearch(params)} />;
}

const PATH = '/search?q=dr400&category=single-engine-piston&price_max=8000000&ifr=true&near=LFPN&radius_km=150&cursor=abc';

describe('save this search', () => {
  it("sends the page's search parameters, name and frequency; shows a 422 next to the name", async () => {
    let posts = 0;
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'POST /api/v1/users/me/saved-searches': (call) =>
        posts++ === 0
          ? { status: 422, body: problemBody(422, 'validation', 'Invalid saved search.', { name: ['must be 1 to 80 characters'] }) }
          : {
              status: 201,
              body: { id: 's1', name: (call.body as { name: string }).name, query: {}, query_string: '', frequency: 'weekly', created_at: '2026-11-28T20:04:08Z', updated_at: '2026-11-28T20:04:08Z' },
            },
    });
    renderPage(<OnSearchPage />, { path: PATH });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Enregistrer cette recherche' }));
    const name = screen.getByLabelText('Nom de la recherche') as HTMLInputElement;
    expect(name.value).toBe('dr400');
    expect(document.activeElement).toBe(name);
    await user.clear(name);
    await user.click(screen.getByRole('button', { name: 'Enregistrer' }));
    // The API's message, next to the field it names.
    const error = await screen.findByText('must be 1 to 80 characters');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-describedby')).toContain(error.id);
    const first = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/users/me/saved-searches');
    expect(first?.body).toEqual({
      name: '',
      frequency: 'daily',
      query: { q: 'dr400', category: 'single-engine-piston', price_max: 8000000, ifr: true, near: 'LFPN', radius_km: 150 },
    });

    await user.type(name, 'DR400 près de Paris');
    await user.selectOptions(screen.getByLabelText('Alertes par e-mail'), 'weekly');
    await user.click(screen.getByRole('button', { name: 'Enregistrer' }));
    const notice = await screen.findByRole('status');
    expect(notice.textContent).toContain('Recherche « DR400 près de Paris » enregistrée.');
    expect(document.activeElement).toBe(notice);
    await waitFor(() => expect(posts).toBe(2));
    const second = calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/users/me/saved-searches')[1];
    expect(second?.body).toMatchObject({ name: 'DR400 près de Paris', frequency: 'weekly' });
  });

  it('asks visitors to log in, coming back to this search', async () => {
    fakeApi({ 'POST /api/v1/auth/refresh': session(null) });
    renderPage(<OnSearchPage />, { path: '/search?q=dr400', lang: 'en' });
    const link = await screen.findByRole('link', { name: 'Log in to save this search and get alerts' });
    expect(link.getAttribute('href')).toBe(`/login?next=${encodeURIComponent('/search?q=dr400')}`);
  });
});
