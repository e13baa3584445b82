import { useState } from 'react';
import { Link, Navigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useAuth } from '../api/auth';
import { useI18n } from '../i18n/I18n';
import type { MessageKey } from '../i18n/messages';
import { usePageTitle } from '../hooks/catalogue';
import { ListingCard } from '../components/ListingCard';
import { ErrorBox, Loading } from '../components/Status';

const TABS = ['published', 'draft', 'reserved', 'sold', 'expired', 'withdrawn'] as const;

export default function MyListings() {
  const { t } = useI18n();
  const { user } = useAuth();
  const [tab, setTab] = useState<(typeof TABS)[number]>('published');
  usePageTitle(t('my.title'));
  const mine = useQuery({
    queryKey: ['me', 'listings'],
    queryFn: () => unwrap(api.GET('/api/v1/users/me/listings')),
    enabled: !!user,
  });
  if (user === null) return <Navigate to="/login?next=/me/listings" replace />;
  if (user === undefined || mine.isPending) return <Loading />;
  if (mine.isError) return <ErrorBox error={mine.error} onRetry={() => void mine.refetch()} />;
  const items = mine.data.items.filter((l) => l.status === tab);
  return (
    <>
      <h1>{t('my.title')}</h1>
      <div role="tablist" aria-label={t('my.title')} className="tabs">
        {TABS.map((s) => (
          <button
            key={s}
            role="tab"
            type="button"
            id={`tab-${s}`}
            aria-selected={tab === s}
            aria-controls="my-panel"
            onClick={() => setTab(s)}
          >
            {t(`status.${s}` as MessageKey)} ({mine.data.items.filter((l) => l.status === s).length})
          </button>
        ))}
      </div>
      <div role="tabpanel" id="my-panel" aria-labelledby={`tab-${tab}`}>
        {items.length === 0 ? (
          <p>{t('my.empty')}</p>
        ) : (
          <div className="listing-grid">
            {items.map((item) => (
              <ListingCard key={item.id} item={item} />
            ))}
          </div>
        )}
      </div>
      <p>
        <Link to="/search">{t('nav.search')}</Link>
      </p>
    </>
  );
}
