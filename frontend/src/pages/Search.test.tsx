// @vitest-environment jsdom
// The search page's filters and the address bar: the URL fills the form and the API query, the
// form and the facets write the URL back.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Search from './Search';
import { fakeApi, plain, renderPage, session, type Call } from '../test/render';

const TREE = {
  items: [
    {
      id: '0193b9a4-0000-7000-8000-0000000000c1', slug: 'aircraft', name_fr: 'Avions', name_en: 'Aircraft',
      attribute_group: 'aircraft', position: 0, active: true, listing_count: 3,
      children: [
        { id: '0193b9a4-0000-7000-8000-0000000000c2', slug: 'single-engine-piston', name_fr: 'Monomoteurs à pistons',
          name_en: 'Single-engine piston', attribute_group: 'aircraft', position: 0, active: true, listing_count: 3, children: [] },
      ],
    },
  ],
};

const RESULTS = {
  items: [],
  next_cursor: 'c2',
  total_estimate: 1234,
  total_exact: true,
  facets_exact: true,
  facets: {
    make: [{ value: 'Cessna', count: 12 }, { value: 'Robin', count: 3 }],
    price_bucket: [{ value: '20000-50000', count: 4 }],
  },
};

function api(): Call[] {
  return fakeApi({
    'POST /api/v1/auth/refresh': session(null),
    'GET /api/v1/categories': { body: TREE },
    'GET /api/v1/listings': { body: RESULTS },
  });
}

const searches = (calls: Call[]) => calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/listings');
const params = (search: string) => Object.fromEntries(new URLSearchParams(search));

describe('search filters and the URL', () => {
  it('fill the form and the API query from the URL', async () => {
    const calls = api();
    renderPage(<Search />, {
      path: '/search?q=dr400&category=single-engine-piston&make=Robin&price_max=5000000&ifr=true&hours_to_tbo_min=500&sort=price_asc&bogus=1&year_min=old',
    });
    await waitFor(() => expect(plain(screen.getByTestId('result-count').textContent)).toBe('1 234 annonces'));
    expect((screen.getByLabelText('Mots-clés') as HTMLInputElement).value).toBe('dr400');
    expect((screen.getByLabelText('Marque') as HTMLInputElement).value).toBe('Robin');
    // Prices travel in minor units; the form shows euros.
    expect((screen.getByLabelText('Prix max.') as HTMLInputElement).value).toBe('50000');
    expect((screen.getByLabelText('Équipé IFR') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText('Année min.') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Trier par') as HTMLSelectElement).value).toBe('price_asc');
    await waitFor(() => expect((screen.getByLabelText('Catégorie') as HTMLSelectElement).value).toBe('single-engine-piston'));
    // Jargon filters explain themselves.
    const tbo = screen.getByLabelText('Potentiel moteur min. (h)');
    expect(document.getElementById(tbo.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/TBO − SMOH/);
    // The API gets exactly the URL's search (malformed and unknown parameters dropped), plus facets and page size.
    const sent = params(searches(calls)[0]?.query.toString() ?? '');
    expect(sent).toEqual({
      q: 'dr400',
      category: 'single-engine-piston',
      make: 'Robin',
      price_max: '5000000',
      hours_to_tbo_min: '500',
      ifr: 'true',
      sort: 'price_asc',
      limit: '20',
      facets: 'category,make,country,price_bucket,year_bucket',
    });
  });

  it('write the form, the sort and the facets back to the URL, which starts again at page one', async () => {
    const calls = api();
    const { router } = renderPage(<Search />, { path: '/search?make=Robin&price_max=5000000&cursor=c1' });
    const user = userEvent.setup();
    await screen.findByTestId('result-count');
    const year = screen.getByLabelText('Année min.');
    await user.type(year, '1975');
    await user.clear(screen.getByLabelText('Marque'));
    await user.click(screen.getByLabelText('Avec photos'));
    await user.click(screen.getByRole('button', { name: 'Appliquer' }));
    await waitFor(() =>
      expect(params(router.state.location.search)).toEqual({ price_max: '5000000', year_min: '1975', has_photos: 'true' }),
    );
    await waitFor(() => expect(params(searches(calls).at(-1)?.query.toString() ?? '')).toMatchObject({ year_min: '1975', has_photos: 'true' }));
    expect(searches(calls).at(-1)?.query.has('make')).toBe(false);

    await user.selectOptions(screen.getByLabelText('Trier par'), 'price_desc');
    await waitFor(() => expect(router.state.location.search).toContain('sort=price_desc'));

    // A facet adds its filter to the search as it is.
    const makes = screen.getByRole('navigation', { name: 'Marques' });
    await user.click(within(makes).getByRole('link', { name: /Cessna/ }));
    await waitFor(() =>
      expect(params(router.state.location.search)).toEqual({
        make: 'Cessna',
        price_max: '5000000',
        year_min: '1975',
        has_photos: 'true',
        sort: 'price_desc',
      }),
    );
    // The next page keeps the search and adds the cursor.
    const next = await screen.findByRole('link', { name: 'Annonces suivantes' });
    expect(params(next.getAttribute('href')?.split('?')[1] ?? '')).toMatchObject({ make: 'Cessna', cursor: 'c2' });
    // Reset empties the URL.
    expect(screen.getByRole('link', { name: 'Effacer les filtres' }).getAttribute('href')).toBe('/search');
  });
});
