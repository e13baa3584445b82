import { NavLink } from 'react-router';
import { useMessagesUnread } from '../hooks/messages';
import { useI18n } from '../i18n/I18n';
import { formatNumber } from '../i18n/format';

/** The header's link to my conversations, with the unread total on a badge (like the bell). */
export function MessagesLink() {
  const { t, lang } = useI18n();
  const unread = useMessagesUnread();
  return (
    <NavLink to="/me/messages" className="bell" data-testid="messages-link">
      <span>{t('nav.messages')}</span>
      {!!unread && (
        <>
          {' '}
          <span className="bell-count" data-testid="messages-count">
            {unread > 99 ? '99+' : formatNumber(lang, unread)}
          </span>
          {' '}
          <span className="visually-hidden">{t('bell.unread')}</span>
        </>
      )}
    </NavLink>
  );
}
