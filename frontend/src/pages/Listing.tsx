import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiUrl, unwrap, type Schemas } from '../api/client';
import { ApiError } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { formatDate, formatMoney, formatNumber } from '../i18n/format';
import { categoryName, findCategory, useCategories, usePageTitle } from '../hooks/catalogue';
import { ListingCard, smallest, srcSet } from '../components/ListingCard';
import { PriceTag } from '../components/Price';
import { PriceEditor } from '../components/PriceEditor';
import { FavoriteButton } from '../components/FavoriteButton';
import { ContactSeller } from '../components/ContactSeller';
import { ReportListing } from '../components/ReportListing';
import { useAuth } from '../api/auth';
import { ErrorBox, Loading } from '../components/Status';
import { specRows } from '../listing/specs';
import { distanceKm } from '../listing/distance';
import { useMyAirfield } from '../hooks/myAirfield';
import type { MessageKey } from '../i18n/messages';
import { UnhideDialog } from './moderation/UnhideDialog';
import { listingStatus } from './moderation/common';

type Photo = Schemas['PhotoView'];

export default function Listing() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const { user } = useAuth();
  const listing = useQuery({
    queryKey: ['listing', id],
    queryFn: () => unwrap(api.GET('/api/v1/listings/{id}', { params: { path: { id } } })),
    // Not before a page load's silent refresh: read without its access token, a listing only
    // its seller and moderators may see (draft, withdrawn, hidden…) would be a 404 for them.
    enabled: user !== undefined,
  });
  const icao = listing.data?.location.airfield_icao ?? undefined;
  const airfield = useQuery({
    queryKey: ['airfield', icao],
    queryFn: () => unwrap(api.GET('/api/v1/airfields/{icao}', { params: { path: { icao: icao ?? '' } } })),
    enabled: !!icao,
    staleTime: Infinity,
  });
  const similar = useQuery({
    queryKey: ['similar', id],
    queryFn: () => unwrap(api.GET('/api/v1/listings/{id}/similar', { params: { path: { id } } })),
    enabled: listing.isSuccess,
  });
  const categories = useCategories();
  usePageTitle(listing.data?.title);

  if (listing.isPending) return <Loading />;
  if (listing.isError) {
    if (listing.error instanceof ApiError && listing.error.status === 404) {
      return (
        <>
          <h1>{t('notFound.title')}</h1>
          <p>{t('listing.notFound')}</p>
        </>
      );
    }
    return <ErrorBox error={listing.error} onRetry={() => void listing.refetch()} />;
  }
  const l = listing.data;
  const category = categories.data ? findCategory(categories.data.items, l.category) : undefined;
  const rows = specRows(lang, l.attributes, { hours_to_tbo: l.hours_to_tbo }, l.price.currency);

  return (
    <article className="listing-page">
      <p className="breadcrumbs">
        <Link to="/search">{t('nav.search')}</Link>
        {category && (
          <>
            {' › '}
            <Link to={`/search?category=${encodeURIComponent(category.slug)}`}>{categoryName(category, lang)}</Link>
          </>
        )}
      </p>
      <h1>{l.title}</h1>
      <div className="listing-layout">
        <div className="listing-main">
          <Gallery photos={l.photos} title={l.title} />
          <section aria-labelledby="desc-h">
            <h2 id="desc-h">{t('listing.description')}</h2>
            <p className="description">{l.description}</p>
          </section>
          <section aria-labelledby="specs-h">
            <h2 id="specs-h">{t('listing.specs')}</h2>
            <table className="specs" data-testid="specs">
              <tbody>
                <tr>
                  <th scope="row">{t('spec.condition')}</th>
                  <td>{t(`condition.${l.condition}` as MessageKey)}</td>
                </tr>
                {rows.map((r) => (
                  <tr key={r.key}>
                    <th scope="row">{r.label}</th>
                    <td>{r.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
        <aside className="listing-side">
          <div className="card pad">
            <p className="big-price" data-testid="price">
              <PriceTag price={l.price} detail />
            </p>
            {user && user.id !== l.seller.id && <FavoriteButton listingId={l.id} large />}
            {l.price_dropped && <p className="badge good">{t('price.dropped')}</p>}
            {l.status !== 'published' && <p className="badge">{t(`status.${l.status}` as MessageKey)}</p>}
            {l.price_history.length > 1 && (
              <div>
                <h3 className="small-heading">{t('price.history')}</h3>
                <ul className="price-history" data-testid="price-history">
                  {l.price_history.map((p) => (
                    <li key={p.since}>
                      {p.amount != null && p.currency
                        ? formatMoney(lang, p.amount, p.currency as Schemas['Currency'])
                        : t('price.on_request')}{' '}
                      <span className="muted">{t('price.since', { date: formatDate(lang, p.since) })}</span>
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {user?.id === l.seller.id && <PriceEditor key={l.id} listing={l} />}
            {l.published_at && <p className="muted small">{t('listing.published', { date: formatDate(lang, l.published_at) })}</p>}
          </div>
          {(user?.role === 'moderator' || user?.role === 'admin') && <HiddenListing key={l.id} listing={l} />}
          <section className="card pad" aria-labelledby="seller-h">
            <h2 id="seller-h">{t('seller.title')}</h2>
            <p className="seller-name">
              {l.seller.company_name ?? l.seller.display_name}{' '}
              {l.seller.professional && (
                <span className="badge pro" title={t('seller.professional')}>
                  {t('seller.pro')}
                </span>
              )}
            </p>
            {l.seller.company_name && <p className="muted">{l.seller.display_name}</p>}
            {l.seller.phone && (
              <p>
                {t('seller.phone')} : <a href={`tel:${l.seller.phone.replace(/\s+/g, '')}`}>{l.seller.phone}</a>
              </p>
            )}
            {!user && l.status === 'published' && (
              <p>
                <Link to={`/login?next=/listings/${l.id}`}>{t('contact.login')}</Link>
              </p>
            )}
          </section>
          {user && user.id !== l.seller.id && <ContactSeller listingId={l.id} />}
          {l.status !== 'hidden' && <ReportListing listingId={l.id} sellerId={l.seller.id} />}
          <section className="card pad" aria-labelledby="loc-h">
            <h2 id="loc-h">{t('listing.location')}</h2>
            <p data-testid="location">
              {airfield.data ? `${airfield.data.name} (${airfield.data.icao})` : icao}
              {[l.location.city, l.location.postcode, l.location.country].filter(Boolean).length > 0 && (
                <>
                  <br />
                  {[l.location.postcode, l.location.city, l.location.country].filter(Boolean).join(' ')}
                </>
              )}
            </p>
            <Distance here={here(l.location, airfield.data)} />
          </section>
        </aside>
      </div>
      {similar.data && similar.data.items.length > 0 && (
        <section aria-labelledby="similar-h">
          <h2 id="similar-h">{t('listing.similar')}</h2>
          <div className="listing-grid">
            {similar.data.items.slice(0, 4).map((item) => (
              <ListingCard key={item.id} item={item} />
            ))}
          </div>
        </section>
      )}
    </article>
  );
}

/**
 * For moderators, on a listing a moderator hid (the API shows it to them, to no other
 * visitor but its seller): the way back, through the moderation area's confirmation with its
 * required note. Once done, the outcome replaces the button and takes the focus.
 */
function HiddenListing({ listing }: { listing: Schemas['ListingView'] }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState('');
  const outcome = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (done) outcome.current?.focus();
  }, [done]);
  if (!done && listing.status !== 'hidden') return null;
  return (
    <section className="card pad" aria-labelledby="moderation-h" data-testid="listing-moderation">
      <h2 id="moderation-h">{t('moderation.title')}</h2>
      {done ? (
        <p role="status" className="notice" tabIndex={-1} ref={outcome}>
          {done}
        </p>
      ) : (
        <>
          <p>{t('listing.mod.hidden')}</p>
          <button type="button" onClick={() => setOpen(true)}>
            {t('moderation.action.unhide_listing')}
          </button>
        </>
      )}
      <UnhideDialog
        listing={open ? listing : null}
        onClose={() => setOpen(false)}
        onDone={(res) => {
          setDone(t('moderation.unhidden', { title: listing.title, status: listingStatus(t, res.listing.status) }));
          setOpen(false);
          void queryClient.invalidateQueries({ queryKey: ['listing', listing.id] });
        }}
      />
    </section>
  );
}

function Gallery({ photos, title }: { photos: Photo[]; title: string }) {
  const { t } = useI18n();
  const [current, setCurrent] = useState(0);
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  if (photos.length === 0) return <p className="no-photo big">{t('listing.noPhotos')}</p>;
  const photo = photos[Math.min(current, photos.length - 1)] as Photo;
  const step = (delta: number) => setCurrent((i) => (i + delta + photos.length) % photos.length);
  const alt = (i: number) => `${title} — ${t('listing.photo', { n: i + 1, total: photos.length })}`;

  return (
    <section className="gallery" aria-label={t('listing.photos')} data-testid="gallery">
      <button
        type="button"
        className="gallery-main"
        ref={opener}
        onClick={() => setOpen(true)}
        aria-label={t('listing.openPhoto', { n: current + 1 })}
      >
        <img
          src={photo.urls['800'] ? apiUrl(photo.urls['800']) : smallest(photo.urls)}
          srcSet={srcSet(photo.urls)}
          sizes="(max-width: 800px) 100vw, 800px"
          width={photo.width}
          height={photo.height}
          alt={alt(current)}
        />
      </button>
      {photos.length > 1 && (
        <ul className="thumbs">
          {photos.map((p, i) => (
            <li key={p.id}>
              <button
                type="button"
                aria-current={i === current ? 'true' : undefined}
                aria-label={t('listing.photo', { n: i + 1, total: photos.length })}
                onClick={() => setCurrent(i)}
              >
                <img src={smallest(p.urls)} alt="" loading="lazy" width={80} height={60} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <dialog
        ref={dialog}
        className="lightbox"
        aria-label={alt(current)}
        onClose={() => {
          setOpen(false);
          opener.current?.focus();
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowRight') step(1);
          if (e.key === 'ArrowLeft') step(-1);
        }}
      >
        {open && (
          <>
            <img
              src={apiUrl(photo.urls['1600'] ?? photo.urls['800'] ?? '')}
              alt={alt(current)}
              width={photo.width}
              height={photo.height}
            />
            <div className="lightbox-bar">
              <button type="button" onClick={() => step(-1)}>
                ‹ <span className="visually-hidden">{t('listing.previous')}</span>
              </button>
              <span aria-live="polite">{t('listing.photo', { n: current + 1, total: photos.length })}</span>
              <button type="button" onClick={() => step(1)}>
                › <span className="visually-hidden">{t('listing.next')}</span>
              </button>
              <button type="button" onClick={() => setOpen(false)} autoFocus>
                {t('listing.close')}
              </button>
            </div>
          </>
        )}
      </dialog>
    </section>
  );
}

type Place = { lat?: number | null; lon?: number | null };

/** Where the listing is: its own coordinates, else its airfield's. */
function here(location: Place, airfield?: Place): { lat: number; lon: number } | null {
  for (const p of [location, airfield]) {
    if (p && typeof p.lat === 'number' && typeof p.lon === 'number') return { lat: p.lat, lon: p.lon };
  }
  return null;
}

/** The distance from the visitor's airfield (remembered in this browser), or a form to set it. */
function Distance({ here }: { here: { lat: number; lon: number } | null }) {
  const { t, lang } = useI18n();
  const [mine, setMine] = useMyAirfield();
  const [code, setCode] = useState('');
  const field = useQuery({
    queryKey: ['airfield', mine],
    queryFn: () => unwrap(api.GET('/api/v1/airfields/{icao}', { params: { path: { icao: mine ?? '' } } })),
    enabled: !!mine,
    staleTime: Infinity,
    retry: false,
  });
  if (!here) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code.trim()) setMine(code);
  };
  if (mine && field.data) {
    const km = Math.round(distanceKm(field.data, here));
    return (
      <p data-testid="distance">
        {t('listing.distanceFrom', { km: formatNumber(lang, km), icao: field.data.icao })}{' '}
        <button type="button" className="link-button" onClick={() => setMine(null)}>
          {t('listing.changeMyAirfield')}
        </button>
      </p>
    );
  }
  if (mine && field.isPending) return null;
  return (
    <form onSubmit={submit} className="inline-form" data-testid="my-airfield">
      {mine && field.isError && (
        <p role="alert" className="field-error">
          {t('listing.myAirfieldUnknown', { icao: mine })}
        </p>
      )}
      <label htmlFor="my-airfield">{t('listing.myAirfieldLabel')}</label>
      <input
        id="my-airfield"
        value={code}
        onChange={(e) => setCode(e.target.value)}
        maxLength={4}
        autoCapitalize="characters"
        size={6}
      />
      <button type="submit">{t('listing.myAirfieldButton')}</button>
    </form>
  );
}
