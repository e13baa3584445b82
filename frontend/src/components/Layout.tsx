import { Suspense, useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigation } from 'react-router';
import { useI18n } from '../i18n/I18n';
import { LANGS } from '../i18n/lang';
import { useAuth } from '../api/auth';
import { Bell } from './Bell';
import { MessagesLink } from './MessagesLink';

export function Layout() {
  const { t, lang, setLang } = useI18n();
  const { user, logout } = useAuth();
  const navigation = useNavigation();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After client-side navigation, move focus to the new page (screen readers announce it).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="site-header">
        <div className="container header-row">
          <Link to="/" className="brand" aria-label={`${t('app.name')} — ${t('nav.home')}`}>
            <svg aria-hidden="true" width="28" height="28" viewBox="0 0 64 64">
              <rect width="64" height="64" rx="14" fill="currentColor" />
              <path d="M10 38 32 16l22 22v12H10z" fill="#fff" />
            </svg>
            <span>{t('app.name')}</span>
          </Link>
          <nav aria-label={t('nav.main')} className="main-nav">
            <NavLink to="/search">{t('nav.search')}</NavLink>
            {user ? (
              <>
                <NavLink to="/sell">{t('nav.sell')}</NavLink>
                <NavLink to="/me/listings">{t('nav.myListings')}</NavLink>
                <NavLink to="/me/favorites">{t('nav.favorites')}</NavLink>
                <NavLink to="/me/saved-searches">{t('nav.savedSearches')}</NavLink>
                <MessagesLink />
                <Bell />
                <NavLink to="/account">{t('nav.account')}</NavLink>
                {(user.role === 'admin' || user.role === 'moderator') && (
                  <>
                    <NavLink to="/moderation">{t('nav.moderation')}</NavLink>
                    <NavLink to="/admin">{t('nav.admin')}</NavLink>
                  </>
                )}
                <span className="whoami" data-testid="whoami">
                  {t('nav.signedInAs', { name: user.display_name })}
                </span>
                <button type="button" className="link-button" onClick={() => void logout()}>
                  {t('nav.logout')}
                </button>
              </>
            ) : user === null ? (
              <>
                <NavLink to="/login">{t('nav.login')}</NavLink>
                <NavLink to="/register">{t('nav.register')}</NavLink>
              </>
            ) : null}
          </nav>
          <div className="lang-switch" role="group" aria-label={t('nav.language')}>
            {LANGS.map((l) => (
              <button
                key={l}
                type="button"
                lang={l}
                aria-pressed={lang === l}
                onClick={() => setLang(l)}
                title={l === 'fr' ? 'Français' : 'English'}
              >
                {l.toUpperCase()}
              </button>
            ))}
          </div>
        </div>
        {navigation.state === 'loading' && <div className="progress" role="progressbar" aria-label={t('common.loading')} />}
      </header>
      <main id="main" ref={main} tabIndex={-1} className="container">
        <Suspense fallback={<p role="status">{t('common.loading')}</p>}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="site-footer">
        <div className="container">
          <p>
            {t('app.name')} — {t('app.tagline')}
          </p>
        </div>
      </footer>
    </>
  );
}
