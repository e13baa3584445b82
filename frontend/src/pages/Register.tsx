import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client';
import { ApiError, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { usePageTitle } from '../hooks/catalogue';
import { Field } from '../components/Field';
import { ErrorBox } from '../components/Status';

const FIELDS = ['email', 'password', 'display_name', 'account_type', 'company_name', 'phone'] as const;

export default function Register() {
  const { t, lang } = useI18n();
  const [form, setForm] = useState({
    email: '',
    password: '',
    display_name: '',
    account_type: 'private' as 'private' | 'professional',
    company_name: '',
    phone: '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Schemas['Me'] | null>(null);
  usePageTitle(t('auth.register'));

  const problem = error instanceof ApiError ? error.problem : null;
  const { byField, other } = splitFieldErrors(problem, FIELDS);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await unwrap(
        api.POST('/api/v1/auth/register', {
          body: {
            email: form.email,
            password: form.password,
            display_name: form.display_name,
            account_type: form.account_type,
            locale: lang,
            company_name: form.account_type === 'professional' ? form.company_name || null : null,
            phone: form.phone || null,
          },
        }),
      );
      setDone(me);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <div className="narrow">
        <h1>{t('auth.register')}</h1>
        <p role="status" className="notice">
          {t('auth.registered', { email: done.email })}
        </p>
        <p>
          <Link to="/login">{t('auth.login')}</Link>
        </p>
      </div>
    );
  }

  return (
    <div className="narrow">
      <h1>{t('auth.register')}</h1>
      <form onSubmit={submit} noValidate>
        {error != null && Object.keys(byField).length === 0 && other.length === 0 ? <ErrorBox error={error} /> : null}
        {other.length > 0 && (
          <ul role="alert" className="error-box">
            {other.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
        <Field label={t('auth.email')} name="email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} error={byField.email} />
        <Field
          label={t('auth.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={form.password}
          onChange={set('password')}
          error={byField.password}
          hint={t('auth.passwordHint')}
        />
        <Field label={t('auth.displayName')} name="display_name" autoComplete="name" required value={form.display_name} onChange={set('display_name')} error={byField.display_name} />
        <fieldset className="field">
          <legend>{t('auth.accountType')}</legend>
          {(['private', 'professional'] as const).map((v) => (
            <label key={v} className="radio">
              <input type="radio" name="account_type" value={v} checked={form.account_type === v} onChange={set('account_type')} />{' '}
              {t(`seller.${v}`)}
            </label>
          ))}
          {byField.account_type && <p className="field-error">{byField.account_type}</p>}
        </fieldset>
        {form.account_type === 'professional' && (
          <Field label={t('auth.companyName')} name="company_name" autoComplete="organization" value={form.company_name} onChange={set('company_name')} error={byField.company_name} />
        )}
        <Field label={t('auth.phone')} name="phone" type="tel" autoComplete="tel" value={form.phone} onChange={set('phone')} error={byField.phone} />
        <button type="submit" disabled={busy}>
          {t('auth.submitRegister')}
        </button>
      </form>
      <p>
        {t('auth.haveAccount')} <Link to="/login">{t('auth.login')}</Link>
      </p>
    </div>
  );
}
