import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useI18n } from '../i18n/I18n';
import { formatNumber } from '../i18n/format';
import { categoryName, useCategories, usePageTitle } from '../hooks/catalogue';
import { ListingCard } from '../components/ListingCard';
import { ErrorBox, Loading } from '../components/Status';
import { toSearchParams } from '../search/params';
import { useMyAirfield } from '../hooks/myAirfield';

export default function Home() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [mine, setMine] = useMyAirfield();
  const [icao, setIcao] = useState(mine ?? '');
  usePageTitle(t('app.tagline'));
  const categories = useCategories();
  const newest = useQuery({
    queryKey: ['search', { sort: 'newest', limit: 8 }],
    queryFn: () => unwrap(api.GET('/api/v1/listings', { params: { query: { sort: 'newest', limit: 8 } } })),
  });

  const search = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/search?${toSearchParams({ q: q.trim() || undefined })}`);
  };
  const near = (e: FormEvent) => {
    e.preventDefault();
    const code = icao.trim().toUpperCase();
    if (code) setMine(code);
    if (code) navigate(`/search?${toSearchParams({ near: code, radius_km: 100, sort: 'distance' })}`);
  };

  return (
    <>
      <section className="hero">
        <h1>{t('home.title')}</h1>
        <form role="search" onSubmit={search} className="search-bar">
          <label htmlFor="home-q" className="visually-hidden">
            {t('home.searchLabel')}
          </label>
          <input
            id="home-q"
            type="search"
            name="q"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={t('home.searchPlaceholder')}
          />
          <button type="submit">{t('home.searchButton')}</button>
        </form>
      </section>

      <section aria-labelledby="cat-h">
        <h2 id="cat-h">{t('home.categories')}</h2>
        {categories.isPending ? (
          <Loading />
        ) : categories.isError ? (
          <ErrorBox error={categories.error} onRetry={() => void categories.refetch()} />
        ) : (
          <ul className="category-grid" data-testid="category-grid">
            {categories.data.items.map((c) => (
              <li key={c.slug}>
                <Link to={`/search?${toSearchParams({ category: c.slug })}`} className="category-tile">
                  <span className="category-name">{categoryName(c, lang)}</span>
                  <span className="category-count">{formatNumber(lang, c.listing_count)}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="near-h">
        <h2 id="near-h">{t('home.near')}</h2>
        <form onSubmit={near} className="inline-form">
          <label htmlFor="home-near">{t('home.nearLabel')}</label>
          <input
            id="home-near"
            value={icao}
            onChange={(e) => setIcao(e.target.value)}
            placeholder="LFPN"
            maxLength={4}
            size={6}
            autoCapitalize="characters"
          />
          <button type="submit">{t('home.nearButton')}</button>
          {'geolocation' in navigator && (
            <button
              type="button"
              className="secondary"
              onClick={() =>
                navigator.geolocation.getCurrentPosition((pos) =>
                  navigate(
                    `/search?${toSearchParams({
                      near: `${pos.coords.latitude.toFixed(4)},${pos.coords.longitude.toFixed(4)}`,
                      radius_km: 100,
                      sort: 'distance',
                    })}`,
                  ),
                )
              }
            >
              {t('home.gps')}
            </button>
          )}
        </form>
      </section>

      <section aria-labelledby="new-h">
        <h2 id="new-h">{t('home.newest')}</h2>
        {newest.isPending ? (
          <Loading />
        ) : newest.isError ? (
          <ErrorBox error={newest.error} onRetry={() => void newest.refetch()} />
        ) : (
          <div className="listing-grid" data-testid="newest">
            {newest.data.items.map((item) => (
              <ListingCard key={item.id} item={item} />
            ))}
          </div>
        )}
        <p>
          <Link to="/search">{t('home.seeAll')}</Link>
        </p>
      </section>
    </>
  );
}
