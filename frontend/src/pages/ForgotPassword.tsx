import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import { ApiError, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { usePageTitle } from '../hooks/catalogue';
import { Field } from '../components/Field';
import { ErrorBox } from '../components/Status';

export default function ForgotPassword() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  usePageTitle(t('forgot.title'));
  const { byField } = splitFieldErrors(error instanceof ApiError ? error.problem : null, ['email']);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await unwrap(api.POST('/api/v1/auth/password/forgot', { body: { email } }));
      setDone(true);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div className="narrow">
      <h1>{t('forgot.title')}</h1>
      {done ? (
        <p role="status" className="notice">
          {t('forgot.sent', { email })}
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          {error != null && !byField.email ? <ErrorBox error={error} /> : null}
          <Field label={t('auth.email')} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={byField.email} />
          <button type="submit">{t('forgot.submit')}</button>
        </form>
      )}
    </div>
  );
}
