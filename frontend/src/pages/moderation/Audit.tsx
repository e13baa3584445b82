import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useI18n } from '../../i18n/I18n';
import { formatDateTime } from '../../i18n/format';
import { useKeysetList } from '../../hooks/useKeysetList';
import { KeysetList } from '../../components/KeysetList';
import { MODERATION_KEY, PAGE } from './common';

/** The audit log, newest first: who decided what, on which listing or member, and why. `me` is shown as "you". */
export default function Audit({ me }: { me: string }) {
  const { t, lang } = useI18n();
  const log = useKeysetList({
    queryKey: [...MODERATION_KEY, 'audit'],
    page: (cursor) => unwrap(api.GET('/api/v1/moderation/audit', { params: { query: { limit: PAGE, cursor } } })),
  });
  const short = (uuid: string) => uuid.slice(0, 8);
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h" className="visually-hidden">
        {t('moderation.audit')}
      </h2>
      <KeysetList list={log} empty={t('moderation.noAudit')}>
        {(items) => (
          <div className="table-scroll">
            <table className="specs audit" data-testid="audit">
              <caption className="visually-hidden">{t('moderation.audit')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('moderation.date')}</th>
                  <th scope="col">{t('moderation.moderator')}</th>
                  <th scope="col">{t('moderation.action')}</th>
                  <th scope="col">{t('moderation.target')}</th>
                  <th scope="col">{t('moderation.reportsResolved')}</th>
                  <th scope="col">{t('moderation.noteColumn')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.id} data-testid="audit-entry">
                    <td data-label={t('moderation.date')}>{formatDateTime(lang, e.created_at)}</td>
                    <td data-label={t('moderation.moderator')}>
                      {e.moderator_id === me ? t('moderation.you') : <code title={e.moderator_id}>{short(e.moderator_id)}</code>}
                    </td>
                    <td data-label={t('moderation.action')}>{t(`moderation.action.${e.action}`)}</td>
                    <td data-label={t('moderation.target')}>
                      {e.listing_id && (
                        <Link to={`/listings/${e.listing_id}`}>
                          {t('moderation.listing')} <code>{short(e.listing_id)}</code>
                        </Link>
                      )}
                      {e.target_user_id && (
                        <>
                          {e.listing_id && <br />}
                          <span title={e.target_user_id}>{t('moderation.member', { id: short(e.target_user_id) })}</span>
                        </>
                      )}
                    </td>
                    <td data-label={t('moderation.reportsResolved')}>{e.reports}</td>
                    <td data-label={t('moderation.noteColumn')} className="description">
                      {e.note}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </KeysetList>
    </section>
  );
}
