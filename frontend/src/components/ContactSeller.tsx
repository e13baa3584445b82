import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ApiError, fieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { INBOX_KEY } from '../hooks/messages';
import { ErrorBox } from './Status';

export const MAX_MESSAGE = 5000;

/**
 * "Contact the seller" on a listing page (members, not on their own listings): the first
 * message; the API adds it to the conversation when there is one already. Opens the thread.
 */
export function ContactSeller({ listingId }: { listingId: string }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const id = useId();
  const [body, setBody] = useState('');
  const send = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/listings/{id}/conversations', { params: { path: { id: listingId } }, body: { body } })),
    onSuccess: (r) => {
      void queryClient.invalidateQueries({ queryKey: INBOX_KEY });
      void navigate(`/me/messages/${r.conversation.id}`);
    },
  });
  const fieldError = send.error instanceof ApiError ? fieldErrors(send.error.problem).body : undefined;
  return (
    <section className="card pad" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('contact.title')}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (body.trim()) send.mutate();
        }}
      >
        <div className={`field${fieldError ? ' field-invalid' : ''}`}>
          <label htmlFor={`${id}-body`}>{t('contact.message')}</label>
          <textarea
            id={`${id}-body`}
            rows={5}
            value={body}
            maxLength={MAX_MESSAGE}
            required
            aria-describedby={`${id}-count`}
            aria-invalid={fieldError ? true : undefined}
            onChange={(e) => setBody(e.target.value)}
          />
          <p id={`${id}-count`} className="muted small">
            {t('messages.chars', { count: body.length, max: MAX_MESSAGE })}
          </p>
          {fieldError && <p className="field-error">{fieldError}</p>}
        </div>
        {send.isError && !fieldError && <SendError error={send.error} />}
        <button type="submit" disabled={send.isPending || !body.trim()}>
          {t('contact.send')}
        </button>
      </form>
    </section>
  );
}

/** A refused message: the API's words, and for 429 when to try again. */
export function SendError({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error instanceof ApiError && error.status === 429) {
    return (
      <div role="alert" className="error-box">
        <p>{t('messages.tooMany')}</p>
        <p className="muted small">{error.message}</p>
      </div>
    );
  }
  if (error instanceof ApiError && error.status === 403) {
    return (
      <div role="alert" className="error-box">
        <p>{t('messages.forbidden')}</p>
        <p className="muted small">{error.message}</p>
      </div>
    );
  }
  return <ErrorBox error={error} />;
}
