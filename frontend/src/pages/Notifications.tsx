import { Link, Navigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { errorMessage } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { formatDate, formatMoney } from '../i18n/format';
import type { MessageKey } from '../i18n/messages';
import { usePageTitle } from '../hooks/catalogue';
import { UNREAD_KEY } from '../hooks/notifications';
import { useKeysetList } from '../hooks/useKeysetList';
import { KeysetList } from '../components/KeysetList';
import { ErrorBox, Loading } from '../components/Status';

type Notification = Schemas['Notification'];

export default function Notifications() {
  const { t } = useI18n();
  const { user } = useAuth();
  const queryClient = useQueryClient();
  usePageTitle(t('notifications.title'));
  const list = useKeysetList({
    queryKey: ['me', 'notifications', 'page'],
    page: (cursor) => unwrap(api.GET('/api/v1/users/me/notifications', { params: { query: { limit: 30, cursor } } })),
    enabled: !!user,
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['me', 'notifications'] });
  const readAll = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/users/me/notifications/read-all')),
    onSuccess: (r) => {
      queryClient.setQueryData(UNREAD_KEY, r.unread_count);
      refresh();
    },
  });

  if (user === null) return <Navigate to="/login?next=/me/notifications" replace />;
  if (user === undefined) return <Loading />;
  // The first page carries the count, read again with the list after each change.
  const unread = list.pages[0]?.unread_count ?? 0;

  return (
    <section aria-labelledby="notif-h">
      <h1 id="notif-h">{t('notifications.title')}</h1>
      <div className="row-actions">
        <p role="status" data-testid="unread-count">
          {unread === 0 ? t('notifications.allRead') : t('notifications.unreadCount', { count: unread })}
        </p>
        {unread > 0 && (
          <button type="button" onClick={() => readAll.mutate()} disabled={readAll.isPending}>
            {t('notifications.readAll')}
          </button>
        )}
      </div>
      {readAll.isError && <ErrorBox error={readAll.error} />}
      <KeysetList list={list} empty={t('notifications.none')}>
        {(items) => (
          <ul className="plain-list" data-testid="notifications">
            {items.map((n) => (
              <li key={n.id}>
                <NotificationRow n={n} onChange={refresh} />
              </li>
            ))}
          </ul>
        )}
      </KeysetList>
      <p className="muted small">
        {t('notifications.manage')} <Link to="/me/saved-searches">{t('nav.savedSearches')}</Link> ·{' '}
        <Link to="/account">{t('nav.account')}</Link>
      </p>
    </section>
  );
}

const KINDS = ['new_match', 'price_drop', 'new_message', 'listing_expiring', 'listing_hidden', 'listing_rejected', 'listing_restored'];

function NotificationRow({ n, onChange }: { n: Notification; onChange: () => void }) {
  const { t, lang } = useI18n();
  const markRead = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/users/me/notifications/{id}/read', { params: { path: { id: n.id } } })),
    onSuccess: onChange,
  });
  const money = (m: Schemas['Money'] | null | undefined) => (m ? formatMoney(lang, m.amount, m.currency) : '');
  const title = n.title ?? '';
  const text = KINDS.includes(n.kind)
    ? t(`notifications.kind.${n.kind}` as MessageKey, {
        title,
        price: money(n.price),
        previous: money(n.previous_price),
        search: n.saved_search?.name ?? '',
        date: n.expires_at ? formatDate(lang, n.expires_at) : '',
      })
    : n.kind;
  const unread = !n.read_at;
  return (
    <article className={`card pad row-card${unread ? ' unread' : ''}`} data-testid="notification">
      <div className="grow">
        <p>
          {unread && <span className="badge">{t('notifications.new')}</span>} {text}
        </p>
        <p className="muted small">{formatDate(lang, n.created_at)}</p>
        {markRead.isError && (
          <p role="alert" className="field-error">
            {errorMessage(markRead.error)}
          </p>
        )}
      </div>
      <div className="row-actions">
        {n.kind === 'new_message' && n.conversation_id ? (
          <Link
            to={`/me/messages/${n.conversation_id}`}
            onClick={() => unread && markRead.mutate()}
            aria-label={t('notifications.openConversation', { title: title || t('notifications.listing') })}
          >
            {t('messages.open')}
          </Link>
        ) : n.listing_id && (
          <Link
            to={`/listings/${n.listing_id}`}
            onClick={() => unread && markRead.mutate()}
            aria-label={t('notifications.openNamed', { title: title || t('notifications.listing') })}
          >
            {t('notifications.open')}
          </Link>
        )}
        {unread && (
          <button type="button" className="secondary" onClick={() => markRead.mutate()} disabled={markRead.isPending}>
            {t('notifications.markRead')}
          </button>
        )}
      </div>
    </article>
  );
}
