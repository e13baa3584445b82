import { useId, useState, type FormEvent } from 'react';
import { Link, Navigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { ApiError, errorMessage, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/format';
import { usePageTitle } from '../hooks/catalogue';
import { Field } from '../components/Field';
import { FREQUENCIES } from '../components/SaveSearch';
import { ErrorBox, Loading } from '../components/Status';

type SavedSearch = Schemas['SavedSearch'];
const KEY = ['me', 'saved-searches'] as const;

export default function SavedSearches() {
  const { t } = useI18n();
  const { user } = useAuth();
  usePageTitle(t('savedSearches.title'));
  const list = useQuery({
    queryKey: KEY,
    queryFn: () => unwrap(api.GET('/api/v1/users/me/saved-searches')),
    enabled: !!user,
  });

  if (user === null) return <Navigate to="/login?next=/me/saved-searches" replace />;
  if (user === undefined) return <Loading />;
  const items = list.data?.items ?? [];
  return (
    <section aria-labelledby="ss-h">
      <h1 id="ss-h">{t('savedSearches.title')}</h1>
      <p className="muted">{t('savedSearches.intro')}</p>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorBox error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">
          {t('savedSearches.none')} <Link to="/search">{t('home.seeAll')}</Link>
        </p>
      ) : (
        <ul className="plain-list" data-testid="saved-searches">
          {items.map((s) => (
            <li key={s.id}>
              <SavedSearchRow search={s} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function SavedSearchRow({ search: s }: { search: SavedSearch }) {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const id = useId();
  const [confirming, setConfirming] = useState(false);
  const update = useMutation({
    mutationFn: (body: Schemas['UpdateSavedSearch']) =>
      unwrap(api.PATCH('/api/v1/users/me/saved-searches/{id}', { params: { path: { id: s.id } }, body })),
    onSuccess: (saved) => {
      queryClient.setQueryData<Schemas['SavedSearchList']>(KEY, (old) =>
        old ? { items: old.items.map((x) => (x.id === saved.id ? saved : x)) } : old,
      );
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/users/me/saved-searches/{id}', { params: { path: { id: s.id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: KEY }),
  });
  const problem = update.error instanceof ApiError ? update.error.problem : null;
  const { byField, other } = splitFieldErrors(problem, ['name', 'frequency']);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const name = String(form.get('name') ?? '').trim();
    const frequency = String(form.get('frequency')) as Schemas['AlertFrequency'];
    const body: Schemas['UpdateSavedSearch'] = {};
    if (name !== s.name) body.name = name;
    if (frequency !== s.frequency) body.frequency = frequency;
    if (Object.keys(body).length === 0) return;
    update.mutate(body);
  };

  return (
    <article className="card pad" data-testid="saved-search" aria-labelledby={`${id}-h`}>
      <div className="row-card">
        <div className="grow">
          <h2 id={`${id}-h`} className="card-title">
            {s.name}
          </h2>
          <p className="muted small">
            <code>{s.query_string || t('savedSearches.everything')}</code> · {t(`frequency.${s.frequency}`)} ·{' '}
            {t('savedSearches.since', { date: formatDate(lang, s.created_at) })}
          </p>
        </div>
        <div className="row-actions">
          <Link className="button" to={`/search${s.query_string ? `?${s.query_string}` : ''}`} aria-label={t('savedSearches.openNamed', { name: s.name })}>
            {t('savedSearches.open')}
          </Link>
        </div>
      </div>
      <form onSubmit={submit} noValidate className="save-search" aria-label={t('savedSearches.editNamed', { name: s.name })}>
        {(other.length > 0 || (update.isError && !problem?.errors)) && (
          <ErrorBox error={other.length > 0 ? new Error(other.join(' · ')) : update.error} />
        )}
        <Field label={t('saveSearch.name')} name="name" defaultValue={s.name} maxLength={80} required error={byField.name} />
        <div className={`field${byField.frequency ? ' field-invalid' : ''}`}>
          <label htmlFor={`${id}-freq`}>{t('saveSearch.frequency')}</label>
          <select
            id={`${id}-freq`}
            name="frequency"
            defaultValue={s.frequency}
            aria-invalid={byField.frequency ? true : undefined}
            aria-describedby={byField.frequency ? `${id}-freq-error` : undefined}
          >
            {FREQUENCIES.map((f) => (
              <option key={f} value={f}>
                {t(`frequency.${f}`)}
              </option>
            ))}
          </select>
          {byField.frequency && (
            <p id={`${id}-freq-error`} className="field-error">
              {byField.frequency}
            </p>
          )}
        </div>
        <div className="row-actions">
          <button type="submit" disabled={update.isPending}>
            {t('savedSearches.saveChanges')}
          </button>
          {update.isSuccess && (
            <span role="status" className="small">
              {t('savedSearches.updated')}
            </span>
          )}
          {!confirming ? (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              {t('savedSearches.delete')}
            </button>
          ) : (
            <>
              <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending} autoFocus>
                {t('savedSearches.confirmDelete', { name: s.name })}
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                {t('common.cancel')}
              </button>
            </>
          )}
        </div>
        {remove.isError && (
          <p role="alert" className="field-error">
            {errorMessage(remove.error)}
          </p>
        )}
      </form>
    </article>
  );
}
