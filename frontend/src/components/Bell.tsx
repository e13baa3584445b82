import { NavLink } from 'react-router';
import { useUnreadCount } from '../hooks/notifications';
import { useI18n } from '../i18n/I18n';
import { formatNumber } from '../i18n/format';

/**
 * The header's link to my notifications, with the unread count on a badge. Its name is its
 * visible text plus a hidden "unread" ("Notifications 3 unread"), so speech input can say what
 * is seen.
 */
export function Bell() {
  const { t, lang } = useI18n();
  const unread = useUnreadCount();
  return (
    <NavLink to="/me/notifications" className="bell" data-testid="bell">
      <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="currentColor">
        <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
      </svg>
      <span>{t('bell.label')}</span>
      {!!unread && (
        <>
          {' '}
          <span className="bell-count" data-testid="bell-count">
            {unread > 99 ? '99+' : formatNumber(lang, unread)}
          </span>
          {' '}
          <span className="visually-hidden">{t('bell.unread')}</span>
        </>
      )}
    </NavLink>
  );
}
