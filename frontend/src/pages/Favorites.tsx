import { Link, Navigate } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { errorMessage } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { formatDate, formatMoney } from '../i18n/format';
import type { MessageKey } from '../i18n/messages';
import { usePageTitle } from '../hooks/catalogue';
import { FAVORITE_IDS_KEY } from '../hooks/favorites';
import { smallest } from '../components/ListingCard';
import { PriceTag } from '../components/Price';
import { ErrorBox, Loading } from '../components/Status';

type Favorite = Schemas['Favorite'];

/** The statuses the API documents for a favourite (a newer one is shown as sent). */
const KNOWN_STATUSES = ['draft', 'pending_review', 'rejected', 'published', 'reserved', 'sold', 'expired', 'withdrawn', 'hidden', 'deleted', 'unavailable'];

export default function Favorites() {
  const { t } = useI18n();
  const { user } = useAuth();
  usePageTitle(t('favorites.title'));
  const list = useInfiniteQuery({
    queryKey: ['me', 'favorites', 'page'],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/users/me/favorites', { params: { query: { limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: !!user,
  });

  if (user === null) return <Navigate to="/login?next=/me/favorites" replace />;
  if (user === undefined) return <Loading />;
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section aria-labelledby="fav-h">
      <h1 id="fav-h">{t('favorites.title')}</h1>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBox error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">
          {t('favorites.none')} <Link to="/search">{t('home.seeAll')}</Link>
        </p>
      ) : (
        <ul className="plain-list" data-testid="favorites">
          {items.map((f) => (
            <li key={f.listing_id}>
              <FavoriteRow favorite={f} />
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <p>
          <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {t('common.more')}
          </button>
        </p>
      )}
    </section>
  );
}

function FavoriteRow({ favorite: f }: { favorite: Favorite }) {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/listings/{id}/favorite', { params: { path: { id: f.listing_id } } })),
    onSuccess: () => {
      queryClient.setQueryData<string[]>(FAVORITE_IDS_KEY, (old) => old?.filter((id) => id !== f.listing_id));
      void queryClient.invalidateQueries({ queryKey: ['me', 'favorites'] });
    },
  });
  const l = f.listing;
  const title = l?.title ?? t('favorites.gone');
  const cover = l?.cover ? smallest(l.cover.urls) : undefined;
  const change = f.price_change;
  const currency = l?.price.currency ?? f.saved_price?.currency;
  return (
    <article className="card pad row-card" data-testid="favorite">
      {cover ? <img className="thumb" src={cover} alt="" width={96} height={72} /> : <div className="thumb" aria-hidden="true" />}
      <div className="grow">
        <h2 className="card-title">{f.available && l ? <Link to={`/listings/${f.listing_id}`}>{l.title}</Link> : title}</h2>
        <p>
          {l && <PriceTag price={l.price} />}{' '}
          {f.status !== 'published' && (
            <span className="badge" data-testid="favorite-status">
              {KNOWN_STATUSES.includes(f.status) ? t(`status.${f.status}` as MessageKey) : f.status}
            </span>
          )}
        </p>
        <p className="small" data-testid="price-change">
          {change != null && currency ? (
            change === 0 ? (
              <span className="muted">{t('favorites.samePrice')}</span>
            ) : (
              <span className={change < 0 ? 'price-down' : 'price-up'}>
                {t(change < 0 ? 'favorites.priceDown' : 'favorites.priceUp', {
                  amount: formatMoney(lang, Math.abs(change), currency),
                })}
                {f.saved_price && ` (${t('favorites.savedPrice', { price: formatMoney(lang, f.saved_price.amount, f.saved_price.currency) })})`}
              </span>
            )
          ) : (
            <span className="muted">{t('favorites.noChange')}</span>
          )}
        </p>
        <p className="muted small">{t('favorites.savedAt', { date: formatDate(lang, f.saved_at) })}</p>
        {remove.isError && (
          <p role="alert" className="field-error">
            {errorMessage(remove.error)}
          </p>
        )}
      </div>
      <div className="row-actions">
        <button type="button" className="secondary" onClick={() => remove.mutate()} disabled={remove.isPending} aria-label={t('favorites.removeNamed', { title })}>
          {t('favorites.remove')}
        </button>
      </div>
    </article>
  );
}
