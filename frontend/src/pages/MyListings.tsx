import { useState, type KeyboardEvent } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { ApiError } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import type { MessageKey } from '../i18n/messages';
import { usePageTitle } from '../hooks/catalogue';
import { ListingCard } from '../components/ListingCard';
import { ErrorBox, Loading } from '../components/Status';
import { formatDate } from '../i18n/format';

const TABS = ['published', 'draft', 'pending_review', 'rejected', 'reserved', 'sold', 'expired', 'withdrawn', 'hidden'] as const;
type Tab = (typeof TABS)[number];

/**
 * Lifecycle actions (POST /listings/{id}/<action>) offered in each status: exactly the steps
 * the API allows from it (`Transition::apply` in api/src/listings.rs), so no button leads to
 * a 409. The API still has the last word (the status may have changed meanwhile).
 */
const ACTIONS = ['renew', 'reserve', 'release', 'sold', 'withdraw', 'publish'] as const;
type Action = (typeof ACTIONS)[number];
const OFFERED: Record<Tab, readonly Action[]> = {
  draft: ['publish', 'withdraw'],
  // Waiting for a moderator (pre-moderation): it can still be edited or taken back.
  pending_review: ['withdraw'],
  // Refused by a moderator: edited, then published again (reviewed again), or taken back.
  rejected: ['publish', 'withdraw'],
  published: ['renew', 'reserve', 'sold', 'withdraw'],
  reserved: ['release', 'sold', 'withdraw'],
  sold: [],
  // Its 60 days ran out: another 60 (renew), or off the market.
  expired: ['renew', 'withdraw'],
  // Taken off the market: published again (a fresh 60 days), never renewed.
  withdrawn: ['publish'],
  // Hidden by a moderator: nothing leads out of it (the API refuses).
  hidden: [],
};

export default function MyListings() {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  const [tab, setTab] = useState<Tab>('published');
  // A lifecycle action refused because the listing changed meanwhile (412): said above the
  // list, which is read again, so the message outlives the card if the listing left this tab.
  const [conflict, setConflict] = useState<string | null>(null);
  usePageTitle(t('my.title'));
  const mine = useInfiniteQuery({
    queryKey: ['me', 'listings', tab],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/users/me/listings', { params: { query: { status: tab, limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: !!user,
  });

  if (user === null) return <Navigate to="/login?next=/me/listings" replace />;
  if (user === undefined) return <Loading />;

  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  const onKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : undefined;
    if (next) {
      setConflict(null);
      setTab(next);
      document.getElementById(`tab-${next}`)?.focus();
    }
  };

  const items = mine.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <h1>{t('my.title')}</h1>
      <p>
        <Link to="/sell" className="button">
          {t('nav.sell')}
        </Link>
      </p>
      <div role="tablist" aria-label={t('my.title')} className="tabs" onKeyDown={onKey}>
        {TABS.map((s) => (
          <button
            key={s}
            role="tab"
            type="button"
            id={`tab-${s}`}
            aria-selected={tab === s}
            aria-controls="my-panel"
            tabIndex={tab === s ? 0 : -1}
            onClick={() => {
              setConflict(null);
              setTab(s);
            }}
          >
            {t(`status.${s}` as MessageKey)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="my-panel" aria-labelledby={`tab-${tab}`} tabIndex={0}>
        {tab === 'pending_review' && <p className="notice">{t('my.pendingHelp')}</p>}
        {tab === 'rejected' && <p className="notice">{t('my.rejectedHelp')}</p>}
        {conflict && (
          <p role="alert" className="error-box" data-testid="my-conflict">
            {t('my.conflict', { title: conflict })}
          </p>
        )}
        {mine.isPending ? (
          <Loading />
        ) : mine.isError ? (
          <ErrorBox error={mine.error} onRetry={() => void mine.refetch()} />
        ) : items.length === 0 ? (
          <p>{t('my.empty')}</p>
        ) : (
          <div className="listing-grid">
            {items.map((item) => (
              <div key={item.id} className="my-item" data-version={item.version}>
                <ListingCard item={item} favorite={false} />
                {item.submitted_at && (
                  <p className="muted small">{t('my.submittedAt', { date: formatDate(lang, item.submitted_at) })}</p>
                )}
                {item.rejection_note && (
                  <p className="field-error" data-testid="rejection-note">
                    {t('my.rejectionNote', { note: item.rejection_note })}
                  </p>
                )}
                <Actions item={item} offered={OFFERED[tab]} onStart={() => setConflict(null)} onConflict={() => setConflict(item.title)} />
              </div>
            ))}
          </div>
        )}
        {mine.hasNextPage && (
          <p>
            <button type="button" onClick={() => void mine.fetchNextPage()} disabled={mine.isFetchingNextPage}>
              {t('search.more')}
            </button>
          </p>
        )}
      </div>
    </>
  );
}

function Actions({
  item,
  offered,
  onStart,
  onConflict,
}: {
  item: Schemas['ListingSummary'];
  offered: readonly Action[];
  onStart: () => void;
  onConflict: () => void;
}) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const run = async (action: Action) => {
    setBusy(true);
    setError(null);
    onStart();
    // The list carries each listing's version: it is the ETag (`"<version>"`) the API checks.
    const params = { path: { id: item.id }, header: { 'If-Match': `"${item.version}"` } };
    const call = {
      renew: () => api.POST('/api/v1/listings/{id}/renew', { params }),
      reserve: () => api.POST('/api/v1/listings/{id}/reserve', { params }),
      release: () => api.POST('/api/v1/listings/{id}/release', { params }),
      sold: () => api.POST('/api/v1/listings/{id}/sold', { params }),
      withdraw: () => api.POST('/api/v1/listings/{id}/withdraw', { params }),
      publish: () => api.POST('/api/v1/listings/{id}/publish', { params }),
    }[action];
    try {
      await unwrap(call());
      await queryClient.invalidateQueries({ queryKey: ['me', 'listings'] });
      void queryClient.invalidateQueries({ queryKey: ['listing', item.id] });
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        // The listing changed since the list was read (edited elsewhere, in another tab): say
        // so, and show the list as it is now (with the new version).
        onConflict();
        void queryClient.invalidateQueries({ queryKey: ['me', 'listings'] });
        void queryClient.invalidateQueries({ queryKey: ['listing', item.id] });
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="my-actions" aria-label={item.title} role="group">
      {item.status !== 'sold' && (
        <button type="button" className="secondary" onClick={() => navigate(`/sell?edit=${item.id}`)}>
          {t('my.edit')}
        </button>
      )}
      {offered.map((a) => (
        <button key={a} type="button" className="secondary" disabled={busy} onClick={() => void run(a)}>
          {t(`my.action.${a}` as MessageKey)}
        </button>
      ))}
      {error != null && <ErrorBox error={error} />}
    </div>
  );
}
