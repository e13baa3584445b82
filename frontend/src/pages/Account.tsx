import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, API_BASE_URL, setSession, unwrap, type Schemas } from '../api/client';
import { useAuth } from '../api/auth';
import { ApiError, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/format';
import type { MessageKey } from '../i18n/messages';
import { usePageTitle } from '../hooks/catalogue';
import { Field } from '../components/Field';
import { ErrorBox, Loading } from '../components/Status';

/** Every scope a personal access token can carry, in the order the form offers them. */
const SCOPES: readonly Schemas['Scope'][] = ['listings:read', 'listings:write', 'messages', 'account'];

/** Your account: profile, password, email verification, access tokens, your reports, export, deletion. */
export default function Account() {
  const { t } = useI18n();
  const { user } = useAuth();
  usePageTitle(t('account.title'));
  const me = useQuery({
    queryKey: ['me', 'profile'],
    queryFn: () => unwrap(api.GET('/api/v1/users/me')),
    enabled: !!user,
  });
  if (user === null) return <Navigate to="/login?next=/account" replace />;
  if (user === undefined || me.isPending) return <Loading />;
  if (me.isError) return <ErrorBox error={me.error} onRetry={() => void me.refetch()} />;
  return (
    <div className="account">
      <h1>{t('account.title')}</h1>
      <Profile me={me.data} />
      {!me.data.email_verified && <Verify />}
      <Password />
      <Tokens />
      <Sessions />
      <Reports />
      <Export />
      <Delete />
    </div>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="card pad">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function problemOf(err: unknown) {
  return err instanceof ApiError ? err.problem : null;
}

function Profile({ me }: { me: Schemas['Me'] }) {
  const { t, lang, setLang } = useI18n();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ display_name: me.display_name, phone: me.phone ?? '', show_phone: me.show_phone });
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/api/v1/users/me', {
          body: { display_name: form.display_name, phone: form.phone || null, show_phone: form.show_phone, locale: lang },
        }),
      ),
    onSuccess: (data) => queryClient.setQueryData(['me', 'profile'], data),
  });
  const { byField, other } = splitFieldErrors(problemOf(save.error), ['display_name', 'phone', 'show_phone']);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Section id="profile-h" title={t('account.profile')}>
      <p>
        {t('auth.email')} : <strong>{me.email}</strong> ({me.email_verified ? t('account.verified') : t('account.unverified')})
        {' · '}
        {t(`seller.${me.account_type}` as MessageKey)}
      </p>
      <form onSubmit={submit} noValidate>
        <Field id="acc-name" label={t('auth.displayName')} value={form.display_name} onChange={(e) => setForm({ ...form, display_name: e.target.value })} error={byField.display_name} />
        <Field id="acc-phone" label={t('auth.phone')} type="tel" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })} error={byField.phone} />
        <div className="field checkbox">
          <input id="acc-show-phone" type="checkbox" checked={form.show_phone} onChange={(e) => setForm({ ...form, show_phone: e.target.checked })} />
          <label htmlFor="acc-show-phone">{t('account.showPhone')}</label>
        </div>
        <div className="field">
          <label htmlFor="acc-lang">{t('nav.language')}</label>
          <select id="acc-lang" value={lang} onChange={(e) => setLang(e.target.value as 'fr' | 'en')}>
            <option value="fr">Français</option>
            <option value="en">English</option>
          </select>
        </div>
        {other.length > 0 && <p className="error-box">{other.join(' ')}</p>}
        {save.isError && Object.keys(byField).length === 0 && other.length === 0 && <ErrorBox error={save.error} />}
        <button type="submit" disabled={save.isPending}>
          {t('edit.save')}
        </button>
        {save.isSuccess && (
          <p role="status" className="notice">
            {t('account.saved')}
          </p>
        )}
      </form>
    </Section>
  );
}

function Verify() {
  const { t } = useI18n();
  const resend = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/auth/verify-email/resend')) });
  return (
    <Section id="verify-h" title={t('verify.title')}>
      <p>{t('auth.unverified')}</p>
      <button type="button" onClick={() => resend.mutate()} disabled={resend.isPending || resend.isSuccess}>
        {t('account.resend')}
      </button>
      {resend.isSuccess && (
        <p role="status" className="notice">
          {t('account.resent')}
        </p>
      )}
      {resend.isError && <ErrorBox error={resend.error} />}
    </Section>
  );
}

function Password() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/users/me/password', { body: { current_password: current, new_password: next, token_delivery: 'cookie' } })),
    // Every other session ends; this one continues with the new tokens.
    onSuccess: (session) => {
      setSession(session);
      setCurrent('');
      setNext('');
    },
  });
  const { byField, other } = splitFieldErrors(problemOf(change.error), ['current_password', 'new_password']);
  return (
    <Section id="password-h" title={t('account.password')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate();
        }}
        noValidate
      >
        <Field id="pw-current" label={t('account.currentPassword')} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={byField.current_password} />
        <Field id="pw-new" label={t('reset.newPassword')} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} error={byField.new_password} hint={t('auth.passwordHint')} />
        {other.length > 0 && <p className="error-box">{other.join(' ')}</p>}
        {change.isError && Object.keys(byField).length === 0 && other.length === 0 && <ErrorBox error={change.error} />}
        <button type="submit" disabled={change.isPending}>
          {t('reset.submit')}
        </button>
        {change.isSuccess && (
          <p role="status" className="notice">
            {t('reset.done')}
          </p>
        )}
      </form>
    </Section>
  );
}

function Tokens() {
  const { t, lang } = useI18n();
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ['me', 'tokens'], queryFn: () => unwrap(api.GET('/api/v1/users/me/tokens')) });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Schemas['Scope'][]>(['listings:read']);
  const [days, setDays] = useState('90');
  const [copied, setCopied] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/users/me/tokens', {
          body: { name, scopes, expires_in_days: days.trim() ? Number(days) : null },
        }),
      ),
    onSuccess: () => {
      setName('');
      setCopied(false);
      void queryClient.invalidateQueries({ queryKey: ['me', 'tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/users/me/tokens/{id}', { params: { path: { id } } })),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['me', 'tokens'] }),
  });
  const { byField, other } = splitFieldErrors(problemOf(create.error), ['name', 'scopes', 'expires_in_days']);
  const base = API_BASE_URL || window.location.origin;
  const curl = create.data ? `curl -s ${base}/api/v1/users/me -H "Authorization: Bearer ${create.data.token}"` : '';
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <Section id="tokens-h" title={t('account.tokens')}>
      <p className="muted">{t('account.tokensHelp')}</p>
      {create.data && (
        <div className="notice" role="status" data-testid="new-token">
          <p>{t('account.tokenOnce')}</p>
          <p>
            <code className="token">{create.data.token}</code>{' '}
            <button type="button" onClick={() => void copy(create.data.token)}>
              {copied ? t('account.copied') : t('account.copy')}
            </button>
          </p>
          <p>{t('account.curl')}</p>
          <pre className="curl">{curl}</pre>
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
        noValidate
      >
        <Field id="tok-name" label={t('account.tokenName')} value={name} onChange={(e) => setName(e.target.value)} error={byField.name} />
        <fieldset className="field">
          <legend>{t('account.scopes')}</legend>
          {SCOPES.map((s) => (
            <label key={s} className="radio">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
              />{' '}
              <code>{s}</code>
            </label>
          ))}
          {byField.scopes && <p className="field-error">{byField.scopes}</p>}
        </fieldset>
        <Field id="tok-days" label={t('account.expiresInDays')} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} error={byField.expires_in_days} />
        {other.length > 0 && <p className="error-box">{other.join(' ')}</p>}
        {create.isError && Object.keys(byField).length === 0 && other.length === 0 && <ErrorBox error={create.error} />}
        <button type="submit" disabled={create.isPending}>
          {t('account.createToken')}
        </button>
      </form>
      {tokens.data && tokens.data.items.length > 0 && (
        <table className="specs tokens">
          <caption className="visually-hidden">{t('account.tokens')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('account.tokenName')}</th>
              <th scope="col">{t('account.scopes')}</th>
              <th scope="col">{t('account.expires')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('account.revoke')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.items.map((tok) => (
              <tr key={tok.id}>
                <td>
                  {tok.name} <code className="muted">{tok.prefix}…</code>
                </td>
                <td>{tok.scopes.join(', ')}</td>
                <td>{tok.expires_at ? formatDate(lang, tok.expires_at) : '—'}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => revoke.mutate(tok.id)}>
                    {t('account.revoke')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function Sessions() {
  const { t } = useI18n();
  const { logout } = useAuth();
  const navigate = useNavigate();
  return (
    <Section id="sessions-h" title={t('account.sessions')}>
      <p className="muted">{t('account.sessionsHelp')}</p>
      <button
        type="button"
        onClick={() => {
          // Leave the page first (the home page's chunk may still have to load): once the
          // session is gone, this page would send us to the login instead.
          void Promise.resolve(navigate('/')).then(() => logout(true));
        }}
      >
        {t('nav.logoutAll')}
      </button>
    </Section>
  );
}

function Reports() {
  const { t } = useI18n();
  return (
    <Section id="reports-h" title={t('myReports.title')}>
      <p className="muted">{t('myReports.accountHelp')}</p>
      <Link to="/me/reports">{t('myReports.open')}</Link>
    </Section>
  );
}

function Export() {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const download = async () => {
    setError(null);
    try {
      const data = await unwrap(api.GET('/api/v1/users/me/export'));
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = 'hangar-export.json';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Section id="export-h" title={t('account.export')}>
      <p className="muted">{t('account.exportHelp')}</p>
      <button type="button" onClick={() => void download()}>
        {t('account.download')}
      </button>
      {error != null && <ErrorBox error={error} />}
    </Section>
  );
}

function Delete() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const del = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/users/me', { body: { password } })),
    onSuccess: () => {
      setSession(null);
      navigate('/');
    },
  });
  const { byField } = splitFieldErrors(problemOf(del.error), ['password']);
  return (
    <Section id="delete-h" title={t('account.delete')}>
      <p>{t('account.deleteHelp')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (window.confirm(t('account.deleteConfirm'))) del.mutate();
        }}
        noValidate
      >
        <Field id="del-password" label={t('auth.password')} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={byField.password ?? (del.error instanceof ApiError && del.error.status === 401 ? del.error.message : undefined)} />
        <button type="submit" className="danger" disabled={del.isPending}>
          {t('account.deleteButton')}
        </button>
      </form>
    </Section>
  );
}
