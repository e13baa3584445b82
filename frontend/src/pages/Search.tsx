import { useMemo, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ApiError, fieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { formatNumber, fromMinor, toMinor } from '../i18n/format';
import type { MessageKey } from '../i18n/messages';
import { categoryName, findCategory, flattenCategories, useCategories, usePageTitle } from '../hooks/catalogue';
import { ListingCard } from '../components/ListingCard';
import { ErrorBox } from '../components/Status';
import { SaveSearch } from '../components/SaveSearch';
import {
  activeFilterCount,
  apiQuery,
  CONDITIONS,
  FACETS,
  facetFilter,
  FUELS,
  parseSearch,
  SELLER_TYPES,
  SORTS,
  toSearchParams,
  withChanges,
  type FacetName,
  type SearchQuery,
} from '../search/params';

const NUMBER_FILTERS = [
  'year_min',
  'year_max',
  'ttaf_max',
  'smoh_max',
  'hours_to_tbo_min',
  'engine_hours_max',
  'seats_min',
  'posted_within_days',
  'radius_km',
] as const;
const TEXT_FILTERS = ['make', 'model', 'country', 'near'] as const;
const BOOL_FILTERS = ['ifr', 'has_photos', 'include_sold'] as const;
/** Filters on aviation jargon, explained under the field with the listing form's help texts. */
const HELP: Partial<Record<string, MessageKey>> = {
  ttaf_max: 'help.ttaf_hours',
  smoh_max: 'help.engine_smoh',
  hours_to_tbo_min: 'help.hours_to_tbo',
  engine_hours_max: 'help.engine_hours_since_new',
  ifr: 'help.ifr',
};

export default function Search() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const query = useMemo(() => parseSearch(params), [params]);
  const categories = useCategories();
  usePageTitle(query.q ? t('search.titleFor', { q: query.q }) : t('search.title'));

  const results = useQuery({
    queryKey: ['search', apiQuery(query)],
    queryFn: () => unwrap(api.GET('/api/v1/listings', { params: { query: apiQuery(query) } })),
    placeholderData: keepPreviousData,
  });
  const problems = results.error instanceof ApiError ? fieldErrors(results.error.problem) : {};

  const go = (next: SearchQuery) => setParams(toSearchParams(next));
  const change = (patch: Partial<SearchQuery>) => go(withChanges(query, patch));

  const submitFilters = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const num = (name: string) => {
      const v = text(name);
      return v === undefined || !Number.isFinite(Number(v)) ? undefined : Number(v);
    };
    const patch: Partial<SearchQuery> = {
      q: text('q'),
      category: text('category'),
      fuel: text('fuel'),
      condition: text('condition'),
      seller_type: text('seller_type'),
    };
    for (const k of TEXT_FILTERS) patch[k] = text(k);
    for (const k of NUMBER_FILTERS) patch[k] = num(k);
    for (const k of BOOL_FILTERS) patch[k] = form.get(k) === 'on' ? true : undefined;
    const pmin = num('price_min');
    const pmax = num('price_max');
    patch.price_min = pmin === undefined ? undefined : toMinor(pmin);
    patch.price_max = pmax === undefined ? undefined : toMinor(pmax);
    go(withChanges(query, patch));
  };

  const data = results.data;
  const tree = categories.data?.items ?? [];
  const chosen = query.category ? findCategory(tree, query.category) : undefined;
  const title = query.q
    ? t('search.titleFor', { q: query.q })
    : chosen
      ? `${t('search.title')} · ${categoryName(chosen, lang)}`
      : t('search.title');
  const facetLabel = (facet: FacetName, value: string): string => {
    if (facet === 'category') {
      const c = findCategory(tree, value);
      return c ? categoryName(c, lang) : value;
    }
    if (facet === 'price_bucket') {
      if (value === 'on_request') return t('facet.on_request');
      const [lo, hi] = value.replace('+', '').split('-');
      const f = (n: string | undefined) => formatNumber(lang, Number(n), 0);
      return hi ? `${f(lo)} – ${f(hi)}` : `≥ ${f(lo)}`;
    }
    return value;
  };

  return (
    <div className="search-page">
      <h1>{title}</h1>
      <div className="search-layout">
        <aside aria-labelledby="filters-h" className="filters">
          <details open={typeof window === 'undefined' || window.innerWidth > 800}>
            <summary>
              <h2 id="filters-h">
                {t('search.filters')}
                {activeFilterCount(query) > 0 && ` (${activeFilterCount(query)})`}
              </h2>
            </summary>
            {/* Keyed by the URL: going back or following a facet refills the form. */}
            <form key={params.toString()} onSubmit={submitFilters} className="filter-form" role="search">
              <FilterInput name="q" label={t('filter.q')} type="search" value={query.q} error={problems.q} />
              <div className="field">
                <label htmlFor="f-category">{t('filter.category')}</label>
                {/* Made again once the tree has loaded: a default value only selects options present at mount. */}
                <select key={tree.length} id="f-category" name="category" defaultValue={query.category ?? ''}>
                  <option value="">{t('common.any')}</option>
                  {flattenCategories(tree).map(({ node, depth }) => (
                    <option key={node.slug} value={node.slug}>
                      {'\u00a0\u00a0'.repeat(depth)}
                      {categoryName(node, lang)}
                    </option>
                  ))}
                </select>
              </div>
              {TEXT_FILTERS.map((k) => (
                <FilterInput key={k} name={k} label={t(`filter.${k}`)} value={query[k]} error={problems[k]} />
              ))}
              <FilterInput
                name="price_min"
                label={t('filter.price_min')}
                type="number"
                value={query.price_min === undefined ? undefined : fromMinor(query.price_min)}
                error={problems.price_min}
              />
              <FilterInput
                name="price_max"
                label={t('filter.price_max')}
                type="number"
                value={query.price_max === undefined ? undefined : fromMinor(query.price_max)}
                error={problems.price_max}
                hint={t('filter.priceCurrencyHint')}
              />
              {NUMBER_FILTERS.map((k) => (
                <FilterInput
                  key={k}
                  name={k}
                  label={t(`filter.${k}`)}
                  type="number"
                  value={query[k]}
                  error={problems[k]}
                  hint={HELP[k] && t(HELP[k])}
                />
              ))}
              <Choice name="fuel" label={t('filter.fuel')} value={query.fuel} options={FUELS.map((v) => [v, v])} />
              <Choice
                name="condition"
                label={t('filter.condition')}
                value={query.condition}
                options={CONDITIONS.map((v) => [v, t(`condition.${v}`)])}
              />
              <Choice
                name="seller_type"
                label={t('filter.seller_type')}
                value={query.seller_type}
                options={SELLER_TYPES.map((v) => [v, t(`seller.${v}`)])}
              />
              {BOOL_FILTERS.map((k) => (
                <div className="field checkbox" key={k}>
                  <input
                    id={`f-${k}`}
                    type="checkbox"
                    name={k}
                    defaultChecked={query[k] === true}
                    aria-describedby={HELP[k] ? `f-${k}-hint` : undefined}
                  />
                  <label htmlFor={`f-${k}`}>{t(`filter.${k}`)}</label>
                  {HELP[k] && (
                    <p id={`f-${k}-hint`} className="hint">
                      {t(HELP[k])}
                    </p>
                  )}
                </div>
              ))}
              <div className="actions">
                <button type="submit">{t('search.apply')}</button>
                <Link to="/search">{t('search.reset')}</Link>
              </div>
            </form>
          </details>

          {data?.facets && (
            <section aria-labelledby="facets-h" className="facets">
              <h2 id="facets-h">{t('search.facets')}</h2>
              {FACETS.map((facet) => {
                const buckets = data.facets?.[facet] ?? [];
                if (buckets.length === 0) return null;
                return (
                  <nav key={facet} aria-label={t(`facet.${facet}` as MessageKey)} data-facet={facet}>
                    <h3>{t(`facet.${facet}` as MessageKey)}</h3>
                    <ul>
                      {buckets.map((b) => (
                        <li key={b.value}>
                          <Link to={`/search?${toSearchParams(withChanges(query, facetFilter(facet, b.value)))}`}>
                            {facetLabel(facet, b.value)} <span className="count">({formatNumber(lang, b.count)})</span>
                          </Link>
                        </li>
                      ))}
                    </ul>
                  </nav>
                );
              })}
            </section>
          )}
        </aside>

        <section aria-labelledby="results-h" className="results" aria-busy={results.isFetching}>
          <div className="results-head">
            <h2 id="results-h" role="status" data-testid="result-count">
              {data
                ? data.total_exact
                  ? t('search.results', { count: formatNumber(lang, data.total_estimate) })
                  : t('search.resultsAbout', { count: formatNumber(lang, data.total_estimate) })
                : t('common.loading')}
            </h2>
            <div className="field inline">
              <label htmlFor="sort">{t('search.sort')}</label>
              <select
                id="sort"
                value={query.sort ?? (query.q ? 'relevance' : 'newest')}
                onChange={(e) => change({ sort: e.target.value as SearchQuery['sort'] })}
                aria-invalid={problems.sort ? true : undefined}
                aria-describedby={problems.sort ? 'sort-error' : undefined}
              >
                {SORTS.map((s) => (
                  <option key={s} value={s}>
                    {t(`sort.${s}`)}
                  </option>
                ))}
              </select>
              {problems.sort && (
                <p id="sort-error" className="field-error">
                  {problems.sort}
                </p>
              )}
            </div>
          </div>
          <SaveSearch query={query} />
          {results.isError && <ErrorBox error={results.error} onRetry={() => void results.refetch()} />}
          {data && data.items.length === 0 && <p>{t('search.none')}</p>}
          <div className="listing-grid" data-testid="results">
            {data?.items.map((item) => <ListingCard key={item.id} item={item} />)}
          </div>
          <nav className="pager" aria-label="Pagination">
            {query.cursor && <Link to={`/search?${toSearchParams(withChanges(query, {}))}`}>{t('search.first')}</Link>}
            {data?.next_cursor && (
              <Link to={`/search?${toSearchParams(withChanges(query, { cursor: data.next_cursor }))}`} rel="next">
                {t('search.more')}
              </Link>
            )}
          </nav>
        </section>
      </div>
    </div>
  );
}

function FilterInput(props: {
  name: string;
  label: string;
  value?: string | number;
  type?: string;
  error?: string;
  hint?: string;
}) {
  const id = `f-${props.name}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        step={props.type === 'number' ? 'any' : undefined}
        defaultValue={props.value ?? ''}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.hint && (
        <p id={`${id}-hint`} className="hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={`${id}-error`} className="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

function Choice(props: { name: string; label: string; value?: string; options: [string, string][] }) {
  const { t } = useI18n();
  const id = `f-${props.name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} name={props.name} defaultValue={props.value ?? ''}>
        <option value="">{t('common.any')}</option>
        {props.options.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}
