import { useId, useState } from 'react';
import { Link, Navigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { ApiError, errorMessage } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/format';
import { usePageTitle } from '../hooks/catalogue';
import { Loading } from '../components/Status';
import { useKeysetList } from '../hooks/useKeysetList';
import { KeysetList } from '../components/KeysetList';

type MyReport = Schemas['MyReport'];

const KEY = ['me', 'reports'];

/** The listings you reported, newest first, with what became of each; open ones can be withdrawn. */
export default function MyReports() {
  const { t } = useI18n();
  const { user } = useAuth();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState('');
  usePageTitle(t('myReports.title'));
  const list = useKeysetList({
    queryKey: KEY,
    page: (cursor) => unwrap(api.GET('/api/v1/users/me/reports', { params: { query: { limit: 20, cursor } } })),
    enabled: !!user,
  });

  if (user === null) return <Navigate to="/login?next=/me/reports" replace />;
  if (user === undefined) return <Loading />;
  const changed = (message: string) => {
    setNotice(message);
    void queryClient.invalidateQueries({ queryKey: KEY });
  };

  return (
    <section aria-labelledby="my-reports-h">
      <h1 id="my-reports-h">{t('myReports.title')}</h1>
      <p className="muted">{t('myReports.intro')}</p>
      {/* Always rendered, so screen readers announce the text when it appears. */}
      <p role="status" className={notice ? 'notice' : undefined} data-testid="my-reports-status">
        {notice}
      </p>
      <KeysetList list={list} empty={t('myReports.none')}>
        {(items) => (
          <ul className="plain-list" data-testid="my-reports">
            {items.map((r) => (
              <li key={r.id}>
                <ReportRow report={r} onChanged={changed} />
              </li>
            ))}
          </ul>
        )}
      </KeysetList>
      <p className="muted small">
        <Link to="/account">{t('nav.account')}</Link>
      </p>
    </section>
  );
}

function ReportRow({ report: r, onChanged }: { report: MyReport; onChanged: (notice: string) => void }) {
  const { t, lang } = useI18n();
  const id = useId();
  const [confirming, setConfirming] = useState(false);
  const title = r.listing_title ?? t('myReports.unavailable');
  const withdraw = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/users/me/reports/{id}/withdraw', { params: { path: { id: r.id } } })),
    onSuccess: () => {
      setConfirming(false);
      onChanged(t('myReports.withdrawn', { title }));
    },
    onError: (err) => {
      // A moderator got there first: show the report as it now stands.
      if (err instanceof ApiError && err.status === 409) onChanged('');
    },
  });
  const conflict = withdraw.error instanceof ApiError && withdraw.error.status === 409;

  return (
    <article className="card pad" data-testid="my-report" aria-labelledby={`${id}-h`}>
      <div className="row-card">
        <div className="grow">
          <h2 id={`${id}-h`} className="card-title">
            {r.listing_title ? (
              <Link to={`/listings/${r.listing_id}`} aria-label={t('myReports.openListing', { title: r.listing_title })}>
                {r.listing_title}
              </Link>
            ) : (
              <span className="muted">{title}</span>
            )}
          </h2>
          <p>
            <span className={`badge report-${r.status}`} data-testid="report-status">
              {t(`myReports.status.${r.status}`)}
            </span>{' '}
            <span className="muted small">{t('myReports.reported', { date: formatDate(lang, r.created_at) })}</span>
          </p>
          <p>{t('myReports.reason', { reason: t(`report.reason.${r.reason}`) })}</p>
          {r.comment && (
            <p className="small">
              {t('myReports.commentLabel')} <q>{r.comment}</q>
            </p>
          )}
        </div>
        {r.status === 'open' && (
          <div className="row-actions" role="group" aria-label={t('myReports.withdrawNamed', { title })}>
            {!confirming ? (
              <button
                type="button"
                className="secondary"
                onClick={() => setConfirming(true)}
                aria-label={t('myReports.withdrawNamed', { title })}
              >
                {t('myReports.withdraw')}
              </button>
            ) : (
              <>
                <p id={`${id}-confirm`}>{t('myReports.confirm')}</p>
                <button
                  type="button"
                  className="danger"
                  onClick={() => withdraw.mutate()}
                  disabled={withdraw.isPending}
                  aria-describedby={`${id}-confirm`}
                  autoFocus
                >
                  {t('myReports.confirmYes')}
                </button>
                <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                  {t('common.cancel')}
                </button>
              </>
            )}
          </div>
        )}
      </div>
      {withdraw.isError && (
        <p role="alert" className="field-error">
          {conflict ? t('myReports.conflict') : errorMessage(withdraw.error) || t('common.error')}
        </p>
      )}
    </article>
  );
}
