import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { useI18n } from '../i18n/I18n';
import { usePageTitle } from '../hooks/catalogue';
import { ErrorBox, Loading } from '../components/Status';

/** The link of the verification mail: `/verify-email?token=…`. */
export default function VerifyEmail() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<'busy' | 'done' | { error: unknown }>('busy');
  const sent = useRef(false);
  usePageTitle(t('verify.title'));

  useEffect(() => {
    if (sent.current) return; // the token works once (StrictMode runs effects twice)
    sent.current = true;
    unwrap(api.POST('/api/v1/auth/verify-email', { body: { token } })).then(
      () => setState('done'),
      (error: unknown) => setState({ error }),
    );
  }, [token]);

  return (
    <div className="narrow">
      <h1>{t('verify.title')}</h1>
      {state === 'busy' ? (
        <Loading />
      ) : state === 'done' ? (
        <p role="status" className="notice" data-testid="verified">
          {t('verify.done')} <Link to="/login">{t('auth.login')}</Link>
        </p>
      ) : (
        <ErrorBox error={state.error} />
      )}
    </div>
  );
}
