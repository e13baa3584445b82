import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../api/auth';
import { ApiError, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { usePageTitle } from '../hooks/catalogue';
import { Field } from '../components/Field';
import { ErrorBox } from '../components/Status';

const FIELDS = ['email', 'password'] as const;

export default function Login() {
  const { t } = useI18n();
  const { login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  usePageTitle(t('auth.login'));

  const problem = error instanceof ApiError ? error.problem : null;
  const { byField, other } = splitFieldErrors(problem, FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email, password);
      const next = params.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="narrow">
      <h1>{t('auth.login')}</h1>
      {params.get('next') && <p className="notice">{t('auth.required')}</p>}
      <form onSubmit={submit} noValidate>
        {error != null && Object.keys(byField).length === 0 ? <ErrorBox error={error} /> : null}
        {other.length > 0 && (
          <ul role="alert" className="error-box">
            {other.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
        <Field
          label={t('auth.email')}
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={byField.email}
        />
        <Field
          label={t('auth.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={byField.password}
        />
        <button type="submit" disabled={busy}>
          {t('auth.submitLogin')}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">{t('auth.forgot')}</Link>
      </p>
      <p>
        {t('auth.noAccount')} <Link to="/register">{t('auth.register')}</Link>
      </p>
    </div>
  );
}
