import { Link } from 'react-router';
import { useI18n } from '../i18n/I18n';
import { usePageTitle } from '../hooks/catalogue';

export default function NotFound() {
  const { t } = useI18n();
  usePageTitle(t('notFound.title'));
  return (
    <>
      <h1>{t('notFound.title')}</h1>
      <p>
        <Link to="/">{t('notFound.back')}</Link>
      </p>
    </>
  );
}
