import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, splitFieldErrors } from '../../api/problem';
import { useI18n } from '../../i18n/I18n';
import { ErrorBox } from '../../components/Status';
import { MODERATION_KEY } from './common';

/** The API's limit on a moderator's note (characters, once trimmed). */
export const MAX_NOTE = 2000;

/**
 * A moderator's decision that needs a note (resolving reports, rejecting or unhiding a listing):
 * what it does, the required note with its limit, then the API's answer (422 on the note, any
 * other refusal such as a 409 in the dialog). The moderation queries are read again after.
 */
export function NoteForm<T>({
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
export function DecisionError({ error, other }: { error: unknown; other: string[] }) {
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
