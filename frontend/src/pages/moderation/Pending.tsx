import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { useI18n } from '../../i18n/I18n';
import { formatDate, formatDateTime } from '../../i18n/format';
import { categoryName, findCategory, useCategories } from '../../hooks/catalogue';
import { useKeysetList } from '../../hooks/useKeysetList';
import { KeysetList } from '../../components/KeysetList';
import { Modal } from '../../components/Modal';
import { PriceTag } from '../../components/Price';
import { accountStatus, MODERATION_KEY, PAGE } from './common';
import { DecisionError, NoteForm } from './NoteForm';

type PendingListing = Schemas['PendingListing'];

/** Listings held by pre-moderation, oldest submission first: approve (after a confirmation) or reject (with a note). */
export default function Pending() {
  const { t } = useI18n();
  const [notice, setNotice] = useState('');
  const [acting, setActing] = useState<{ item: PendingListing; decision: 'approve' | 'reject' } | null>(null);
  const list = useKeysetList({
    queryKey: [...MODERATION_KEY, 'pending'],
    page: (cursor) => unwrap(api.GET('/api/v1/moderation/pending', { params: { query: { limit: PAGE, cursor } } })),
  });
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
      <KeysetList list={list} empty={t('moderation.noPending')}>
        {(items) => (
          <ul className="plain-list" data-testid="pending">
            {items.map((p) => (
              <li key={p.listing.id}>
                <PendingCard item={p} onDecide={(decision) => setActing({ item: p, decision })} />
              </li>
            ))}
          </ul>
        )}
      </KeysetList>
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
  const account = accountStatus(t, seller.status);
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
