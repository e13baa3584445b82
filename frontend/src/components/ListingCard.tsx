import { Link } from 'react-router';
import { apiUrl, type Schemas } from '../api/client';
import { formatKm } from '../i18n/format';
import { useI18n } from '../i18n/I18n';
import { PriceTag } from './Price';
import { FavoriteButton } from './FavoriteButton';

type Item = Schemas['ListingSummary'] & { distance_km?: number | null; snippet?: string | null };

/** srcset from the photo's stored widths ("320", "800", "1600"). */
export function srcSet(urls: Record<string, string>): string {
  return Object.entries(urls)
    .filter(([w]) => /^\d+$/.test(w))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([w, u]) => `${apiUrl(u)} ${w}w`)
    .join(', ');
}

export function smallest(urls: Record<string, string>): string | undefined {
  const w = Object.keys(urls)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))[0];
  return w ? apiUrl(urls[w] as string) : undefined;
}

/** A listing in a list; `favorite` adds the heart for logged-in members (off on one's own listings). */
export function ListingCard({ item, favorite = true }: { item: Item; favorite?: boolean }) {
  const { t, lang } = useI18n();
  const cover = item.cover;
  return (
    <article className="card listing-card">
      <div className="card-media">
        {cover ? (
          <img
            src={smallest(cover.urls)}
            srcSet={srcSet(cover.urls)}
            sizes="(max-width: 600px) 100vw, 320px"
            width={cover.width}
            height={cover.height}
            loading="lazy"
            decoding="async"
            alt=""
          />
        ) : (
          <div className="no-photo" aria-hidden="true">
            ✈
          </div>
        )}
        {favorite && <FavoriteButton listingId={item.id} title={item.title} />}
      </div>
      <div className="card-body">
        <h3 className="card-title">
          <Link to={`/listings/${item.id}`}>{item.title}</Link>
        </h3>
        <p className="card-price">
          <PriceTag price={item.price} />
          {item.status === 'reserved' && <span className="badge">{t('listing.status.reserved')}</span>}
          {item.status === 'sold' && <span className="badge">{t('listing.status.sold')}</span>}
        </p>
        <p className="muted small">
          {[item.airfield_icao, item.city].filter(Boolean).join(' · ')}
          {item.distance_km != null && ` · ${t('listing.distance', { km: formatKm(lang, item.distance_km) })}`}
        </p>
        {item.snippet && (
          // The API HTML-escapes the text and only adds <mark>: safe to insert.
          <p className="snippet small" dangerouslySetInnerHTML={{ __html: item.snippet }} />
        )}
      </div>
    </article>
  );
}
