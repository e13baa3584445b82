import { Link, Navigate } from 'react-router';
import { useAuth } from '../api/auth';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/format';
import { usePageTitle } from '../hooks/catalogue';
import { useInbox } from '../hooks/messages';
import { ErrorBox, Loading } from '../components/Status';

/** My conversations, most recent activity first, with their unread counts. */
export default function Messages() {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  usePageTitle(t('messages.title'));
  const inbox = useInbox();
  if (user === null) return <Navigate to="/login?next=/me/messages" replace />;
  if (user === undefined) return <Loading />;
  const items = inbox.data?.items ?? [];
  return (
    <section aria-labelledby="messages-h">
      <h1 id="messages-h">{t('messages.title')}</h1>
      {inbox.isPending ? (
        <Loading />
      ) : inbox.isError ? (
        <ErrorBox error={inbox.error} onRetry={() => void inbox.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">{t('messages.none')}</p>
      ) : (
        <ul className="plain-list" data-testid="conversations">
          {items.map((c) => {
            const last = c.last_message;
            return (
              <li key={c.id}>
                <article className={`card pad row-card${c.unread_count > 0 ? ' unread' : ''}`} data-testid="conversation">
                  <div className="grow">
                    <h2 className="small-heading">
                      <Link to={`/me/messages/${c.id}`}>{c.listing_title}</Link>{' '}
                      {c.unread_count > 0 && (
                        <span className="badge pro" data-testid="conversation-unread">
                          {t('messages.unreadCount', { count: c.unread_count })}
                        </span>
                      )}
                    </h2>
                    <p className="muted small">
                      {t(c.role === 'buyer' ? 'messages.withSeller' : 'messages.withBuyer', {
                        name: c.other_party.display_name,
                      })}
                      {c.blocked_by_me && <> · {t('messages.blockedShort')}</>}
                    </p>
                    {last && (
                      <p className="last-message">
                        {last.from_me && <span className="muted">{t('messages.you')} </span>}
                        {last.body.length > 160 ? `${last.body.slice(0, 160)}…` : last.body}
                      </p>
                    )}
                    <p className="muted small">{formatDate(lang, c.last_message_at)}</p>
                  </div>
                </article>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
