import { ApiError, errorMessage } from '../api/problem';
import { useI18n } from '../i18n/I18n';

export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="muted">
      {t('common.loading')}
    </p>
  );
}

/** An error from the API, with its request id so support can find it in the logs. */
export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const rid = error instanceof ApiError ? error.problem?.request_id : undefined;
  return (
    <div role="alert" className="error-box">
      <p>{errorMessage(error) || t('common.error')}</p>
      {rid && <p className="muted small">{t('common.requestId', { id: rid })}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
