import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { ApiError, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import type { MessageKey } from '../i18n/messages';
import { Modal } from './Modal';
import { ErrorBox } from './Status';

type Reason = Schemas['ReportReason'];
export const REPORT_REASONS: readonly Reason[] = ['scam', 'wrong_category', 'already_sold', 'duplicate', 'offensive', 'other'];
/** The API's limit on a report's comment (characters, once trimmed). */
export const MAX_REPORT_COMMENT = 2000;

/**
 * "Report this listing" (members, not on their own listings; visitors get a link to log in
 * and come back): a modal dialog with the reasons, a comment (required for `other`), and the
 * API's answer in words (thanks; 409: reported already; 429: too many today).
 */
export function ReportListing({ listingId, sellerId }: { listingId: string; sellerId: string }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState(false);
  const thanks = useRef<HTMLParagraphElement>(null);
  // The button is gone once reported: focus goes to the thanks that replace it.
  useEffect(() => {
    if (done) thanks.current?.focus();
  }, [done]);
  if (user === undefined || user?.id === sellerId) return null;
  if (user === null) {
    return (
      <p className="report-link">
        <Link to={`/login?next=${encodeURIComponent(`/listings/${listingId}`)}`}>{t('report.login')}</Link>
      </p>
    );
  }
  return (
    <div className="report-link">
      {done ? (
        <p role="status" className="notice" data-testid="report-done" tabIndex={-1} ref={thanks}>
          {t('report.thanks')}
        </p>
      ) : (
        <button type="button" className="link-button" onClick={() => setOpen(true)}>
          {t('report.open')}
        </button>
      )}
      <Modal open={open} onClose={() => setOpen(false)} title={t('report.title')} testId="report-dialog">
        <ReportForm
          listingId={listingId}
          onCancel={() => setOpen(false)}
          onDone={() => {
            setDone(true);
            setOpen(false);
          }}
        />
      </Modal>
    </div>
  );
}

function ReportForm({ listingId, onCancel, onDone }: { listingId: string; onCancel: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const [reason, setReason] = useState<Reason | null>(null);
  const [comment, setComment] = useState('');
  const [local, setLocal] = useState<{ reason?: string; comment?: string }>({});
  const send = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/listings/{id}/reports', {
          params: { path: { id: listingId } },
          body: { reason: reason as Reason, comment: comment.trim() ? comment.trim() : null },
        }),
      ),
    onSuccess: onDone,
  });
  const apiError = send.error instanceof ApiError ? send.error : null;
  const { byField, other } = splitFieldErrors(apiError?.status === 422 ? apiError.problem : null, ['reason', 'comment']);
  const reasonError = local.reason ?? byField.reason;
  const commentError = local.comment ?? byField.comment;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errors: typeof local = {};
    if (!reason) errors.reason = t('report.reasonRequired');
    if (reason === 'other' && !comment.trim()) errors.comment = t('report.commentRequired');
    setLocal(errors);
    if (Object.keys(errors).length === 0) send.mutate();
  };

  return (
    <form onSubmit={submit} noValidate>
      <fieldset
        className={`field${reasonError ? ' field-invalid' : ''}`}
        aria-describedby={reasonError ? `${id}-reason-error` : undefined}
      >
        <legend>{t('report.reason')}</legend>
        {REPORT_REASONS.map((r) => (
          <label key={r} className="radio-line">
            <input
              type="radio"
              name={`${id}-reason`}
              value={r}
              checked={reason === r}
              onChange={() => setReason(r)}
            />{' '}
            {t(`report.reason.${r}` as MessageKey)}
          </label>
        ))}
        {reasonError && (
          <p id={`${id}-reason-error`} className="field-error">
            {reasonError}
          </p>
        )}
      </fieldset>
      <div className={`field${commentError ? ' field-invalid' : ''}`}>
        <label htmlFor={`${id}-comment`}>
          {reason === 'other' ? t('report.commentRequiredLabel') : t('report.comment')}
        </label>
        <textarea
          id={`${id}-comment`}
          rows={4}
          value={comment}
          maxLength={MAX_REPORT_COMMENT}
          aria-required={reason === 'other'}
          aria-invalid={commentError ? true : undefined}
          aria-describedby={`${id}-count${commentError ? ` ${id}-comment-error` : ''}`}
          onChange={(e) => setComment(e.target.value)}
        />
        <p id={`${id}-count`} className="hint">
          {t('report.commentHint', { count: comment.length, max: MAX_REPORT_COMMENT })}
        </p>
        {commentError && (
          <p id={`${id}-comment-error`} className="field-error">
            {commentError}
          </p>
        )}
      </div>
      {send.isError && !reasonError && !commentError && <ReportError error={send.error} other={other} />}
      <div className="button-row">
        <button type="submit" disabled={send.isPending}>
          {t('report.send')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** A refused report in words: reported already (409, with the way to My reports), too many today (429), else the API's problem. */
function ReportError({ error, other }: { error: unknown; other: string[] }) {
  const { t } = useI18n();
  if (error instanceof ApiError && (error.status === 409 || error.status === 429)) {
    return (
      <div role="alert" className="error-box">
        <p>{t(error.status === 409 ? 'report.already' : 'report.tooMany')}</p>
        <p className="muted small">{error.message}</p>
        {/* Where the open report can be followed, or withdrawn. */}
        {error.status === 409 && (
          <p>
            <Link to="/me/reports">{t('myReports.open')}</Link>
          </p>
        )}
      </div>
    );
  }
  if (other.length > 0) {
    return (
      <div role="alert" className="error-box">
        {other.map((m) => (
          <p key={m}>{m}</p>
        ))}
      </div>
    );
  }
  return <ErrorBox error={error} />;
}
