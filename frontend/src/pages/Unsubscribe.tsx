import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client';
import { useI18n } from '../i18n/I18n';
import { usePageTitle } from '../hooks/catalogue';
import { ErrorBox, Loading } from '../components/Status';

/** The link at the bottom of an alert mail: `/unsubscribe?token=…`; works without logging in. */
export default function Unsubscribe() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<'busy' | { done: Schemas['Unsubscribed'] } | { error: unknown }>('busy');
  const sent = useRef(false);
  usePageTitle(t('unsubscribe.title'));

  useEffect(() => {
    if (sent.current) return; // the token works once (StrictMode runs effects twice)
    sent.current = true;
    unwrap(api.POST('/api/v1/unsubscribe', { body: { token } })).then(
      (done) => setState({ done }),
      (error: unknown) => setState({ error }),
    );
  }, [token]);

  return (
    <div className="narrow">
      <h1>{t('unsubscribe.title')}</h1>
      {state === 'busy' ? (
        <Loading />
      ) : 'done' in state ? (
        <p role="status" className="notice" data-testid="unsubscribed">
          {state.done.scope === 'saved_search'
            ? t('unsubscribe.savedSearch', { name: state.done.saved_search?.name ?? '' })
            : t('unsubscribe.allAlerts')}{' '}
          <Link to="/me/saved-searches">{t('nav.savedSearches')}</Link>
        </p>
      ) : (
        <ErrorBox error={state.error} />
      )}
    </div>
  );
}
