import { useAuth } from '../api/auth';
import { errorMessage } from '../api/problem';
import { useFavoriteIds, useToggleFavorite } from '../hooks/favorites';
import { useI18n } from '../i18n/I18n';

/**
 * A toggle (aria-pressed) that keeps a listing among my favourites; nothing for visitors who
 * are not logged in. `title` names the listing for screen readers when several buttons share
 * a page (cards).
 */
export function FavoriteButton({ listingId, title, large = false }: { listingId: string; title?: string; large?: boolean }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const { ids, ready } = useFavoriteIds();
  const toggle = useToggleFavorite(listingId);
  if (!user) return null;
  const on = ids.has(listingId);
  // A large button's visible text is its name; a card's heart names its listing.
  const label = large ? undefined : t('favorite.toggleNamed', { title: title ?? '' });
  return (
    <span className={`favorite${large ? ' favorite-large' : ''}`}>
      <button
        type="button"
        className="favorite-button"
        aria-pressed={on}
        aria-label={label}
        title={on ? t('favorite.remove') : t('favorite.add')}
        disabled={!ready || toggle.isPending}
        onClick={() => toggle.mutate(!on)}
      >
        <span aria-hidden="true">{on ? '♥' : '♡'}</span>
        {large && <span className="favorite-text">{t('favorite.toggle')}</span>}
      </button>
      {toggle.isError && (
        <span role="alert" className="field-error small">
          {errorMessage(toggle.error)}
        </span>
      )}
    </span>
  );
}
