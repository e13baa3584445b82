import { useId, useState, type FormEvent } from 'react';
import { Link, Navigate, NavLink, useParams, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { ApiError, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { formatDate, formatDateTime } from '../i18n/format';
import type { MessageKey } from '../i18n/messages';
import { categoryName, findCategory, useCategories, usePageTitle } from '../hooks/catalogue';
import { Modal } from '../components/Modal';
import { PriceTag } from '../components/Price';
import { ErrorBox, Loading } from '../components/Status';
import NotFound from './NotFound';

type QueuedReport = Schemas['QueuedReport'];
type PendingListing = Schemas['PendingListing'];
type Action = Schemas['ModerationAction'];
type ReportState = Schemas['ReportState'];
const ACTIONS: readonly Action[] = ['dismiss', 'hide_listing', 'suspend_seller'];
/** The API's limit on a moderator's note (characters, once trimmed). */
export const MAX_NOTE = 2000;
const LISTING_STATUSES = ['draft', 'published', 'reserved', 'sold', 'expired', 'withdrawn', 'hidden', 'deleted'];
const ACCOUNT_STATUSES = ['active', 'suspended', 'deleted'];
const PAGE = 20;
export const MODERATION_KEY = ['moderation'] as const;

/**
 * The moderation area's sections, one tab each (`/moderation/<id>`). A new queue (such as
 * listings pending review) is one more entry here and one more case in `Section`.
 */
const SECTIONS = [
  { id: 'reports', label: 'moderation.reports' },
  { id: 'pending', label: 'moderation.pending' },
  { id: 'audit', label: 'moderation.audit' },
] as const satisfies readonly { id: string; label: MessageKey }[];
type SectionId = (typeof SECTIONS)[number]['id'];

/** Moderators and administrators: the reports queue, the listings held for review and the audit log. Others: not found. */
export default function Moderation() {
  const { t } = useI18n();
  const { user } = useAuth();
  const { section = 'reports' } = useParams();
  usePageTitle(t('moderation.title'));
  if (user === null) return <Navigate to={`/login?next=${encodeURIComponent('/moderation')}`} replace />;
  if (user === undefined) return <Loading />;
  const current = SECTIONS.find((s) => s.id === section);
  if ((user.role !== 'moderator' && user.role !== 'admin') || !current) return <NotFound />;
  return (
    <>
      <h1>{t('moderation.title')}</h1>
      <nav aria-label={t('moderation.tabs')} className="tabs">
        {SECTIONS.map((s) => (
          <NavLink key={s.id} to={`/moderation/${s.id}`} className={({ isActive }) => (isActive || s.id === current.id ? 'active' : '')}>
            {t(s.label)}
          </NavLink>
        ))}
      </nav>
      <Section id={current.id} me={user.id} />
    </>
  );
}

function Section({ id, me }: { id: SectionId; me: string }) {
  switch (id) {
    case 'reports':
      return <Reports />;
    case 'pending':
      return <Pending />;
    case 'audit':
      return <Audit me={me} />;
  }
}

function Reports() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const state: ReportState = params.get('state') === 'resolved' ? 'resolved' : 'open';
  const [notice, setNotice] = useState('');
  const [acting, setActing] = useState<{ report: QueuedReport; action: Action } | null>(null);
  const [unhiding, setUnhiding] = useState<QueuedReport | null>(null);
  const list = useInfiniteQuery({
    queryKey: [...MODERATION_KEY, 'reports', state],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/moderation/reports', { params: { query: { state, limit: PAGE, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
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
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBox error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">{t(state === 'open' ? 'moderation.noOpen' : 'moderation.noResolved')}</p>
      ) : (
        <ul className="plain-list" data-testid="reports">
          {items.map((r) => (
            <li key={r.id}>
              <ReportCard report={r} onAct={(action) => setActing({ report: r, action })} onUnhide={() => setUnhiding(r)} />
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <p>
          <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {t('common.more')}
          </button>
        </p>
      )}
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
      <Modal
        open={unhiding !== null}
        onClose={() => setUnhiding(null)}
        title={unhiding ? t('moderation.actionOn', { action: t('moderation.action.unhide_listing'), title: unhiding.listing.title }) : ''}
        testId="unhide-dialog"
      >
        {unhiding && (
          <NoteForm
            explain={t('moderation.explain.unhide_listing')}
            hint="moderation.noteHint"
            submitLabel={t('moderation.confirm', { action: t('moderation.action.unhide_listing') })}
            send={(note) =>
              unwrap(api.POST('/api/v1/moderation/listings/{id}/unhide', { params: { path: { id: unhiding.listing.id } }, body: { note } }))
            }
            onCancel={() => setUnhiding(null)}
            onDone={(res) => {
              const status = LISTING_STATUSES.includes(res.listing.status) ? t(`status.${res.listing.status}` as MessageKey) : res.listing.status;
              setNotice(t('moderation.unhidden', { title: unhiding.listing.title, status }));
              setUnhiding(null);
            }}
          />
        )}
      </Modal>
    </section>
  );
}

function ReportCard({ report: r, onAct, onUnhide }: { report: QueuedReport; onAct: (action: Action) => void; onUnhide: () => void }) {
  const { t, lang } = useI18n();
  const l = r.listing;
  const status = LISTING_STATUSES.includes(l.status) ? t(`status.${l.status}` as MessageKey) : l.status;
  const account = ACCOUNT_STATUSES.includes(l.seller_status) ? t(`moderation.account.${l.seller_status}` as MessageKey) : l.seller_status;
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

/**
 * A moderator's decision that needs a note (resolving reports, rejecting or unhiding a listing):
 * what it does, the required note with its limit, then the API's answer (422 on the note, any
 * other refusal such as a 409 in the dialog). The moderation queries are read again after.
 */
function NoteForm<T>({
  explain,
  hint,
  submitLabel,
  danger = false,
  send,
  onCancel,
  onDone,
}: {
  explain: string;
  hint: 'moderation.noteHint' | 'moderation.rejectHint';
  submitLabel: string;
  danger?: boolean;
  send: (note: string) => Promise<T>;
  onCancel: () => void;
  onDone: (result: T) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const [localError, setLocalError] = useState('');
  const decide = useMutation({
    mutationFn: () => send(note.trim()),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: MODERATION_KEY });
      onDone(result);
    },
  });
  const apiError = decide.error instanceof ApiError ? decide.error : null;
  const { byField, other } = splitFieldErrors(apiError?.status === 422 ? apiError.problem : null, ['note']);
  const noteError = localError || byField.note;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!note.trim()) {
      setLocalError(t('moderation.noteRequired'));
      return;
    }
    setLocalError('');
    decide.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <p>{explain}</p>
      <div className={`field${noteError ? ' field-invalid' : ''}`}>
        <label htmlFor={`${id}-note`}>{t('moderation.noteLabel')}</label>
        <textarea
          id={`${id}-note`}
          rows={4}
          value={note}
          maxLength={MAX_NOTE}
          aria-required
          aria-invalid={noteError ? true : undefined}
          aria-describedby={`${id}-count${noteError ? ` ${id}-error` : ''}`}
          onChange={(e) => setNote(e.target.value)}
        />
        <p id={`${id}-count`} className="hint">
          {t(hint, { count: note.length, max: MAX_NOTE })}
        </p>
        {noteError && (
          <p id={`${id}-error`} className="field-error">
            {noteError}
          </p>
        )}
      </div>
      {decide.isError && !noteError && <DecisionError error={decide.error} other={other} />}
      <div className="button-row">
        <button type="submit" className={danger ? 'danger' : ''} disabled={decide.isPending}>
          {submitLabel}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The API's refusal of a decision, in the dialog: its field-less messages, else the problem itself. */
function DecisionError({ error, other }: { error: unknown; other: string[] }) {
  return other.length > 0 ? (
    <div role="alert" className="error-box">
      {other.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  ) : (
    <ErrorBox error={error} />
  );
}

/** Listings held by pre-moderation, oldest submission first: approve (after a confirmation) or reject (with a note). */
function Pending() {
  const { t } = useI18n();
  const [notice, setNotice] = useState('');
  const [acting, setActing] = useState<{ item: PendingListing; decision: 'approve' | 'reject' } | null>(null);
  const list = useInfiniteQuery({
    queryKey: [...MODERATION_KEY, 'pending'],
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/moderation/pending', { params: { query: { limit: PAGE, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const action = acting ? t(acting.decision === 'approve' ? 'moderation.action.approve_listing' : 'moderation.action.reject_listing') : '';
  const done = (title: string, key: 'moderation.approved' | 'moderation.rejected') => {
    setNotice(t(key, { title }));
    setActing(null);
  };
  return (
    <section aria-labelledby="pending-h">
      <h2 id="pending-h" className="visually-hidden">
        {t('moderation.pending')}
      </h2>
      <p role="status" className={notice ? 'notice' : 'visually-hidden'} data-testid="moderation-notice">
        {notice}
      </p>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBox error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">{t('moderation.noPending')}</p>
      ) : (
        <ul className="plain-list" data-testid="pending">
          {items.map((p) => (
            <li key={p.listing.id}>
              <PendingCard item={p} onDecide={(decision) => setActing({ item: p, decision })} />
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <p>
          <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {t('common.more')}
          </button>
        </p>
      )}
      <Modal
        open={acting !== null}
        onClose={() => setActing(null)}
        title={acting ? t('moderation.actionOn', { action, title: acting.item.listing.title }) : ''}
        testId="pending-dialog"
      >
        {acting?.decision === 'approve' && (
          <ApproveForm item={acting.item} onCancel={() => setActing(null)} onDone={() => done(acting.item.listing.title, 'moderation.approved')} />
        )}
        {acting?.decision === 'reject' && (
          <NoteForm
            explain={t('moderation.explain.reject_listing', { name: acting.item.seller.display_name })}
            hint="moderation.rejectHint"
            submitLabel={t('moderation.confirm', { action })}
            danger
            send={(note) =>
              unwrap(api.POST('/api/v1/moderation/listings/{id}/reject', { params: { path: { id: acting.item.listing.id } }, body: { note } }))
            }
            onCancel={() => setActing(null)}
            onDone={() => done(acting.item.listing.title, 'moderation.rejected')}
          />
        )}
      </Modal>
    </section>
  );
}

function PendingCard({ item, onDecide }: { item: PendingListing; onDecide: (decision: 'approve' | 'reject') => void }) {
  const { t, lang } = useI18n();
  const categories = useCategories();
  const l = item.listing;
  const category = categories.data ? findCategory(categories.data.items, item.category) : undefined;
  const seller = item.seller;
  const account = ACCOUNT_STATUSES.includes(seller.status) ? t(`moderation.account.${seller.status}` as MessageKey) : seller.status;
  const headingId = `pending-${l.id}`;
  return (
    <article className="card pad report-card" data-testid="pending-listing" aria-labelledby={headingId}>
      <h3 id={headingId} className="small-heading">
        <Link to={`/listings/${l.id}`}>{l.title}</Link>
      </h3>
      <p>
        <PriceTag price={l.price} /> · {category ? categoryName(category, lang) : item.category}
      </p>
      <p className="muted small">
        {t('moderation.seller', { name: seller.company_name ?? seller.display_name, status: account })}
        {seller.professional ? ` · ${t('moderation.professional')}` : ''} ·{' '}
        {t('moderation.memberSince', { date: formatDate(lang, seller.member_since) })}
      </p>
      <p className="muted small">{t('moderation.submitted', { date: formatDateTime(lang, item.submitted_at) })}</p>
      <div className="my-actions">
        <button
          type="button"
          aria-label={t('moderation.actionOn', { action: t('moderation.action.approve_listing'), title: l.title })}
          onClick={() => onDecide('approve')}
        >
          {t('moderation.action.approve_listing')}
        </button>
        <button
          type="button"
          className="danger"
          aria-label={t('moderation.actionOn', { action: t('moderation.action.reject_listing'), title: l.title })}
          onClick={() => onDecide('reject')}
        >
          {t('moderation.action.reject_listing')}
        </button>
      </div>
    </article>
  );
}

/** Approving needs no note: what it does, then a confirmation. */
function ApproveForm({ item, onCancel, onDone }: { item: PendingListing; onCancel: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const approve = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/moderation/listings/{id}/approve', { params: { path: { id: item.listing.id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: MODERATION_KEY });
      onDone();
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        approve.mutate();
      }}
    >
      <p>{t('moderation.explain.approve_listing', { name: item.seller.display_name })}</p>
      {approve.isError && <DecisionError error={approve.error} other={[]} />}
      <div className="button-row">
        <button type="submit" disabled={approve.isPending}>
          {t('moderation.confirm', { action: t('moderation.action.approve_listing') })}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function Audit({ me }: { me: string }) {
  const { t, lang } = useI18n();
  const log = useInfiniteQuery({
    queryKey: [...MODERATION_KEY, 'audit'],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/moderation/audit', { params: { query: { limit: PAGE, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = log.data?.pages.flatMap((p) => p.items) ?? [];
  const short = (uuid: string) => uuid.slice(0, 8);
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h" className="visually-hidden">
        {t('moderation.audit')}
      </h2>
      {log.isPending ? (
        <Loading />
      ) : log.isError ? (
        <ErrorBox error={log.error} onRetry={() => void log.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">{t('moderation.noAudit')}</p>
      ) : (
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
                    {e.moderator_id === me ? (
                      t('moderation.you')
                    ) : (
                      <code title={e.moderator_id}>{short(e.moderator_id)}</code>
                    )}
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
      {log.hasNextPage && (
        <p>
          <button type="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
            {t('common.more')}
          </button>
        </p>
      )}
    </section>
  );
}
