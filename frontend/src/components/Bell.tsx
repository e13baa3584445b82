import { NavLink } from 'react-router';
import { useUnreadCount } from '../hooks/notifications';
import { useI18n } from '../i18n/I18n';
import { formatNumber } from '../i18n/format';

/** The header's link to my notifications, with the unread count in its name and on a badge. */
export function Bell() {
  const { t, lang } = useI18n();
  const unread = useUnreadCount();
  const label = unread ? t('bell.unread', { count: formatNumber(lang, unread) }) : t('bell.label');
  return (
    <NavLink to="/me/notifications" className="bell" aria-label={label} data-testid="bell">
      <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="currentColor">
        <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
      </svg>
      <span>{t('bell.short')}</span>
      {!!unread && (
        <span className="bell-count" aria-hidden="true">
          {unread > 99 ? '99+' : formatNumber(lang, unread)}
        </span>
      )}
    </NavLink>
  );
}
