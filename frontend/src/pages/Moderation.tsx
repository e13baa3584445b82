import { Navigate, NavLink, useParams } from 'react-router';
import { useAuth } from '../api/auth';
import { useI18n } from '../i18n/I18n';
import type { MessageKey } from '../i18n/messages';
import { usePageTitle } from '../hooks/catalogue';
import { Loading } from '../components/Status';
import NotFound from './NotFound';
import Reports from './moderation/Reports';
import Pending from './moderation/Pending';
import Audit from './moderation/Audit';

/**
 * The moderation area's sections, one tab each (`/moderation/<id>`), each in its own module
 * under `moderation/`. A new queue is one more entry here and one more case in `Section`.
 */
const SECTIONS = [
  { id: 'reports', label: 'moderation.reports' },
  { id: 'pending', label: 'moderation.pending' },
  { id: 'audit', label: 'moderation.audit' },
] as const satisfies readonly { id: string; label: MessageKey }[];
type SectionId = (typeof SECTIONS)[number]['id'];

/** Moderators and administrators: the reports queue, the listings held for review and the audit log. Others: not found. */
export default function Moderation() {
  const { t } = useI18n();
  const { user } = useAuth();
  const { section = 'reports' } = useParams();
  usePageTitle(t('moderation.title'));
  if (user === null) return <Navigate to={`/login?next=${encodeURIComponent('/moderation')}`} replace />;
  if (user === undefined) return <Loading />;
  const current = SECTIONS.find((s) => s.id === section);
  if ((user.role !== 'moderator' && user.role !== 'admin') || !current) return <NotFound />;
  return (
    <>
      <h1>{t('moderation.title')}</h1>
      <nav aria-label={t('moderation.tabs')} className="tabs">
        {SECTIONS.map((s) => (
          <NavLink key={s.id} to={`/moderation/${s.id}`} className={({ isActive }) => (isActive || s.id === current.id ? 'active' : '')}>
            {t(s.label)}
          </NavLink>
        ))}
      </nav>
      <Section id={current.id} me={user.id} />
    </>
  );
}

function Section({ id, me }: { id: SectionId; me: string }) {
  switch (id) {
    case 'reports':
      return <Reports />;
    case 'pending':
      return <Pending />;
    case 'audit':
      return <Audit me={me} />;
  }
}
