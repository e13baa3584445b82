import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { ApiError, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { Field } from './Field';
import { ErrorBox } from './Status';
import type { SearchQuery } from '../search/params';

export const FREQUENCIES = ['instant', 'daily', 'weekly', 'off'] as const satisfies readonly Schemas['AlertFrequency'][];

/**
 * "Save this search" on the results page: a name and how often to be told, and the page's
 * search (the URL's parameters, without the cursor) as the saved query.
 */
export function SaveSearch({ query }: { query: SearchQuery }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const location = useLocation();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const formId = useId();
  const notice = useRef<HTMLParagraphElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  const save = useMutation({
    mutationFn: (body: Schemas['SavedSearchInput']) => unwrap(api.POST('/api/v1/users/me/saved-searches', { body })),
    onSuccess: () => {
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: ['me', 'saved-searches'] });
    },
  });

  // The form goes away when saved or cancelled: focus goes to what replaces it, not to the page.
  useEffect(() => {
    if (open) {
      wasOpen.current = true;
      return;
    }
    if (!wasOpen.current) return;
    wasOpen.current = false;
    (notice.current ?? toggle.current)?.focus();
  }, [open]);

  if (user === undefined) return null;
  if (user === null)
    return (
      <p className="save-search muted small">
        <Link to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`}>{t('saveSearch.login')}</Link>
      </p>
    );

  const problem = save.error instanceof ApiError ? save.error.problem : null;
  const { byField, other } = splitFieldErrors(problem, ['name', 'frequency']);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const { cursor: _cursor, ...search } = query;
    save.mutate({
      name: String(form.get('name') ?? '').trim(),
      frequency: String(form.get('frequency')) as Schemas['AlertFrequency'],
      // The spec types `query` as a free-form object; it is exactly the search's parameters.
      query: search as unknown as Schemas['SavedSearchInput']['query'],
    });
  };

  return (
    <div className="save-search">
      {save.isSuccess && !open && (
        <p className="notice" role="status" tabIndex={-1} ref={notice}>
          {t('saveSearch.saved', { name: save.data.name })} <Link to="/me/saved-searches">{t('nav.savedSearches')}</Link>
        </p>
      )}
      {!open ? (
        <button
          ref={toggle}
          type="button"
          className="secondary"
          aria-expanded={false}
          aria-controls={formId}
          onClick={() => {
            save.reset();
            setOpen(true);
          }}
        >
          {t('saveSearch.open')}
        </button>
      ) : (
        <form id={formId} onSubmit={submit} noValidate aria-label={t('saveSearch.title')} className="card pad">
          {(other.length > 0 || (save.isError && !problem?.errors)) && (
            <ErrorBox error={other.length > 0 ? new Error(other.join(' · ')) : save.error} />
          )}
          <Field
            label={t('saveSearch.name')}
            name="name"
            defaultValue={query.q ?? ''}
            maxLength={80}
            required
            autoFocus
            error={byField.name}
          />
          <div className={`field${byField.frequency ? ' field-invalid' : ''}`}>
            <label htmlFor={`${formId}-freq`}>{t('saveSearch.frequency')}</label>
            <select
              id={`${formId}-freq`}
              name="frequency"
              defaultValue="daily"
              aria-invalid={byField.frequency ? true : undefined}
              aria-describedby={byField.frequency ? `${formId}-freq-error` : undefined}
            >
              {FREQUENCIES.map((f) => (
                <option key={f} value={f}>
                  {t(`frequency.${f}`)}
                </option>
              ))}
            </select>
            {byField.frequency && (
              <p id={`${formId}-freq-error`} className="field-error">
                {byField.frequency}
              </p>
            )}
          </div>
          <div className="row-actions">
            <button type="submit" disabled={save.isPending}>
              {t('saveSearch.submit')}
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
