import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { ApiError, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { usePageTitle } from '../hooks/catalogue';
import { Field } from '../components/Field';
import { ErrorBox } from '../components/Status';

/** The link of the password-reset mail: `/reset-password?token=…`. */
export default function ResetPassword() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  usePageTitle(t('reset.title'));
  const { byField, other } = splitFieldErrors(error instanceof ApiError ? error.problem : null, ['password', 'new_password']);
  const fieldError = byField.password ?? byField.new_password;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/auth/password/reset', { body: { token: params.get('token') ?? '', new_password: password } }),
      );
      setDone(true);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div className="narrow">
      <h1>{t('reset.title')}</h1>
      {done ? (
        <p role="status" className="notice">
          {t('reset.done')} <Link to="/login">{t('auth.login')}</Link>
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          {error != null && !fieldError ? <ErrorBox error={error} /> : null}
          {other.length > 0 && <p className="error-box">{other.join(' ')}</p>}
          <Field
            label={t('reset.newPassword')}
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fieldError}
            hint={t('auth.passwordHint')}
          />
          <button type="submit">{t('reset.submit')}</button>
        </form>
      )}
    </div>
  );
}
