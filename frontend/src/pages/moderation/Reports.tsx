import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useI18n } from '../../i18n/I18n';
import { formatDateTime } from '../../i18n/format';
import type { MessageKey } from '../../i18n/messages';
import { useKeysetList } from '../../hooks/useKeysetList';
import { KeysetList } from '../../components/KeysetList';
import { Modal } from '../../components/Modal';
import { accountStatus, listingStatus, MODERATION_KEY, PAGE } from './common';
import { NoteForm } from './NoteForm';
import { UnhideDialog } from './UnhideDialog';

type QueuedReport = Schemas['QueuedReport'];
type Action = Schemas['ModerationAction'];
type ReportState = Schemas['ReportState'];
const ACTIONS: readonly Action[] = ['dismiss', 'hide_listing', 'suspend_seller'];

/** The reports queue, open or resolved (`?state=resolved`): resolve an open one, unhide a listing a resolved one hid. */
export default function Reports() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const state: ReportState = params.get('state') === 'resolved' ? 'resolved' : 'open';
  const [notice, setNotice] = useState('');
  const [acting, setActing] = useState<{ report: QueuedReport; action: Action } | null>(null);
  const [unhiding, setUnhiding] = useState<QueuedReport | null>(null);
  const list = useKeysetList({
    queryKey: [...MODERATION_KEY, 'reports', state],
    page: (cursor) => unwrap(api.GET('/api/v1/moderation/reports', { params: { query: { state, limit: PAGE, cursor } } })),
  });
  const show = (s: ReportState) => {
    setNotice('');
    setParams(s === 'open' ? {} : { state: s });
  };
  return (
    <section aria-labelledby="reports-h">
      <h2 id="reports-h" className="visually-hidden">
        {t('moderation.reports')}
      </h2>
      <div className="button-row" role="group" aria-label={t('moderation.state')}>
        {(['open', 'resolved'] as const).map((s) => (
          <button key={s} type="button" className={state === s ? '' : 'secondary'} aria-pressed={state === s} onClick={() => show(s)}>
            {t(`moderation.${s}`)}
          </button>
        ))}
      </div>
      <p role="status" className={notice ? 'notice' : 'visually-hidden'} data-testid="moderation-notice">
        {notice}
      </p>
      <KeysetList list={list} empty={t(state === 'open' ? 'moderation.noOpen' : 'moderation.noResolved')}>
        {(items) => (
          <ul className="plain-list" data-testid="reports">
            {items.map((r) => (
              <li key={r.id}>
                <ReportCard report={r} onAct={(action) => setActing({ report: r, action })} onUnhide={() => setUnhiding(r)} />
              </li>
            ))}
          </ul>
        )}
      </KeysetList>
      <Modal
        open={acting !== null}
        onClose={() => setActing(null)}
        title={acting ? t('moderation.actionOn', { action: t(`moderation.action.${acting.action}`), title: acting.report.listing.title }) : ''}
        testId="resolve-dialog"
      >
        {acting && (
          <ResolveForm
            report={acting.report}
            action={acting.action}
            onCancel={() => setActing(null)}
            onDone={(entry) => {
              setNotice(
                t('moderation.done', {
                  title: acting.report.listing.title,
                  action: t(`moderation.action.${entry.action}`),
                  count: entry.reports,
                }),
              );
              setActing(null);
            }}
          />
        )}
      </Modal>
      <UnhideDialog
        listing={unhiding?.listing ?? null}
        onClose={() => setUnhiding(null)}
        onDone={(res) => {
          if (unhiding) setNotice(t('moderation.unhidden', { title: unhiding.listing.title, status: listingStatus(t, res.listing.status) }));
          setUnhiding(null);
        }}
      />
    </section>
  );
}

function ReportCard({ report: r, onAct, onUnhide }: { report: QueuedReport; onAct: (action: Action) => void; onUnhide: () => void }) {
  const { t, lang } = useI18n();
  const l = r.listing;
  const status = listingStatus(t, l.status);
  const account = accountStatus(t, l.seller_status);
  return (
    <article className="card pad report-card" data-testid="report" aria-labelledby={`report-${r.id}`}>
      <h3 id={`report-${r.id}`} className="small-heading">
        <Link to={`/listings/${l.id}`}>{l.title}</Link>
      </h3>
      <p className="muted small">
        {t('moderation.listingStatus', { status })} · {t('moderation.seller', { name: l.seller_name, status: account })}
      </p>
      <p>
        <strong>{t('moderation.reason', { reason: t(`report.reason.${r.reason}` as MessageKey) })}</strong>
      </p>
      {r.comment ? (
        <blockquote className="report-comment">
          <span className="visually-hidden">{t('moderation.comment')} </span>
          {r.comment}
        </blockquote>
      ) : (
        <p className="muted small">{t('moderation.noComment')}</p>
      )}
      <p className="muted small">
        {t('moderation.reported', { date: formatDateTime(lang, r.created_at) })} ·{' '}
        <span data-testid="report-counts">{t('moderation.counts', { open: l.open_reports, total: l.total_reports })}</span>
      </p>
      {r.state === 'resolved' ? (
        <p className="small">
          {r.resolved_at && r.resolution
            ? t('moderation.resolvedAs', { date: formatDateTime(lang, r.resolved_at), action: t(`moderation.action.${r.resolution}`) })
            : null}
          {r.note && (
            <>
              <br />
              {t('moderation.note', { note: r.note })}
            </>
          )}
          {r.resolution === 'hide_listing' && l.status === 'hidden' && (
            <>
              <br />
              <button
                type="button"
                className="secondary"
                aria-label={t('moderation.actionOn', { action: t('moderation.action.unhide_listing'), title: l.title })}
                onClick={onUnhide}
              >
                {t('moderation.action.unhide_listing')}
              </button>
            </>
          )}
        </p>
      ) : (
        <div className="my-actions">
          {ACTIONS.map((a) => (
            <button
              key={a}
              type="button"
              className={a === 'dismiss' ? 'secondary' : a === 'suspend_seller' ? 'danger' : ''}
              aria-label={t('moderation.actionOn', { action: t(`moderation.action.${a}`), title: l.title })}
              onClick={() => onAct(a)}
            >
              {t(`moderation.action.${a}`)}
            </button>
          ))}
        </div>
      )}
    </article>
  );
}

/** The confirmation of a report's resolution: what it does, the required note, then the API's answer. */
function ResolveForm({
  report,
  action,
  onCancel,
  onDone,
}: {
  report: QueuedReport;
  action: Action;
  onCancel: () => void;
  onDone: (entry: Schemas['AuditEntry']) => void;
}) {
  const { t } = useI18n();
  return (
    <NoteForm
      explain={t(`moderation.explain.${action}`, { name: report.listing.seller_name })}
      hint="moderation.noteHint"
      danger={action === 'suspend_seller'}
      submitLabel={t('moderation.confirm', { action: t(`moderation.action.${action}`) })}
      send={(note) =>
        unwrap(api.POST('/api/v1/moderation/reports/{id}/resolve', { params: { path: { id: report.id } }, body: { action, note } }))
      }
      onCancel={onCancel}
      onDone={onDone}
    />
  );
}
