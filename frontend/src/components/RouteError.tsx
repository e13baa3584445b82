import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { useI18n } from '../i18n/I18n';

export function RouteError() {
  const error = useRouteError();
  const { t } = useI18n();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <main id="main" className="container">
      <h1>{notFound ? t('notFound.title') : t('common.error')}</h1>
      <p>
        <Link to="/">{t('notFound.back')}</Link>
      </p>
    </main>
  );
}
