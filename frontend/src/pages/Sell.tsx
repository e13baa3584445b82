import { useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiUrl, unwrap } from '../api/client';
import { useAuth } from '../api/auth';
import { ApiError, splitFieldErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import { fr as KNOWN, type MessageKey } from '../i18n/messages';
import { categoryName, findCategory, flattenCategories, useCategories, usePageTitle } from '../hooks/catalogue';
import { Field } from '../components/Field';
import { PriceTag } from '../components/Price';
import { ErrorBox, Loading } from '../components/Status';
import { smallest } from '../components/ListingCard';
import { DRAFT_KEY, EMPTY_DRAFT, fieldsOf, fromListing, loadDraft, toListingInput, type AttributeField, type Draft } from '../sell/draft';
import { uploadPhoto, type PhotoView } from '../sell/upload';
import { CONDITIONS } from '../search/params';
import { isMoneyField } from '../listing/money';

const CURRENCIES = ['EUR', 'CHF', 'GBP', 'USD'] as const;
const KINDS = ['fixed', 'negotiable', 'on_request', 'exchange'] as const;
const STEPS = ['sell.step1', 'sell.step2', 'sell.step3', 'sell.step4'] as const;

interface Upload {
  key: string;
  name: string;
  progress: number;
  error?: string;
}

/** Post a listing, step by step: category, details, photos, preview and publish. */
export default function Sell() {
  const { t, lang } = useI18n();
  const { user } = useAuth();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const categories = useCategories();
  const [draft, setDraftState] = useState<Draft>(() => loadDraft(typeof localStorage === 'undefined' ? undefined : localStorage));
  const [error, setError] = useState<unknown>(null);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  // Reordering photos by drag and drop (the arrow buttons do the same from the keyboard).
  const [dragPhoto, setDragPhoto] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  usePageTitle(t('sell.title'));

  const setDraft = (patch: Partial<Draft>) =>
    setDraftState((d) => {
      const next = { ...d, ...patch };
      try {
        localStorage.setItem(DRAFT_KEY, JSON.stringify(next));
      } catch {
        /* not remembered */
      }
      return next;
    });

  // `/sell?edit=<id>` (from My listings): the form starts from the listing as the server has it.
  const [params, setParams] = useSearchParams();
  const editId = params.get('edit');
  const editing = useQuery({
    queryKey: ['listing', editId],
    queryFn: () => unwrap(api.GET('/api/v1/listings/{id}', { params: { path: { id: editId ?? '' } } })),
    enabled: !!editId && !!user,
  });
  useEffect(() => {
    const l = editing.data;
    const tree = categories.data?.items;
    if (!editId || !l || !tree) return;
    const node = findCategory(tree, l.category);
    const next = fromListing(l, node?.attribute_group ?? '');
    setDraftState(next);
    try {
      localStorage.setItem(DRAFT_KEY, JSON.stringify(next));
    } catch {
      /* not remembered */
    }
    setParams({}, { replace: true });
  }, [editId, editing.data, categories.data, setParams]);

  // Each step is announced: focus moves to the page heading.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    heading.current?.focus();
  }, [draft.step]);

  const listing = useQuery({
    queryKey: ['listing', draft.listingId],
    queryFn: () => unwrap(api.GET('/api/v1/listings/{id}', { params: { path: { id: draft.listingId ?? '' } } })),
    enabled: !!draft.listingId && draft.step >= 3 && !!user,
  });
  const photos: PhotoView[] = listing.data?.photos ?? [];

  const fields = useMemo(() => fieldsOf(draft.group), [draft.group]);
  const formFields = useMemo(
    () => [
      'category',
      'title',
      'description',
      'price',
      'price.amount',
      'price.currency',
      'price.kind',
      'condition',
      'location',
      'location.airfield_icao',
      'location.city',
      'location.country',
      // Not `attributes` itself: an error on an attribute the form does not show (or on the
      // whole object) then goes to the top of the form with its key, instead of nowhere.
      ...fields.map((f) => `attributes.${f.name}`),
    ],
    [fields],
  );
  const { byField, other } = splitFieldErrors(error instanceof ApiError ? error.problem : null, formFields);
  const fieldError = (name: string) =>
    byField[name] ?? (localErrors[name] ? t(`sell.invalid.${localErrors[name]}` as MessageKey) : undefined);

  if (user === null) return <Navigate to="/login?next=/sell" replace />;
  if (user === undefined) return <Loading />;

  const flat = flattenCategories(categories.data?.items ?? []);

  const saveDetails = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const { body, errors } = toListingInput(draft);
    setLocalErrors(errors);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    try {
      if (!draft.listingId) {
        const created = await unwrap(api.POST('/api/v1/listings', { body }));
        setDraft({ listingId: created.id, version: created.version, step: 3 });
      } else {
        const updated = await unwrap(
          api.PATCH('/api/v1/listings/{id}', {
            params: { path: { id: draft.listingId }, header: { 'If-Match': `"${draft.version ?? 0}"` } },
            body,
          }),
        );
        setDraft({ version: updated.version, step: 3 });
        void queryClient.invalidateQueries({ queryKey: ['listing', draft.listingId] });
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const addFiles = async (files: FileList | File[]) => {
    const id = draft.listingId;
    if (!id) return;
    const list = Array.from(files).filter(
      (f) => /^image\/(jpeg|png|webp)$/.test(f.type) || /\.(jpe?g|png|webp)$/i.test(f.name),
    );
    const batch = list.map((f, i) => ({ key: `${Date.now()}-${i}-${f.name}`, name: f.name, progress: 0 }));
    setUploads((u) => [...u, ...batch]);
    // One after the other: the photos keep the order they were chosen in.
    for (const [i, file] of list.entries()) {
      const key = batch[i]?.key;
      const update = (patch: Partial<Upload>) =>
        setUploads((u) => u.map((x) => (x.key === key ? { ...x, ...patch } : x)));
      try {
        await uploadPhoto(id, file, (p) => update({ progress: p }));
        update({ progress: 1 });
      } catch (err) {
        update({ error: err instanceof Error ? err.message : String(err) });
      }
    }
    await listing.refetch();
  };

  const reorder = async (order: string[]) => {
    if (!draft.listingId) return;
    setError(null);
    try {
      await unwrap(
        api.PATCH('/api/v1/listings/{id}/photos', { params: { path: { id: draft.listingId } }, body: { order } }),
      );
      await listing.refetch();
    } catch (err) {
      setError(err);
    }
  };
  const move = (from: number, to: number) => {
    const ids = photos.map((p) => p.id);
    const [id] = ids.splice(from, 1);
    if (id === undefined) return;
    ids.splice(to, 0, id);
    void reorder(ids);
  };
  const remove = async (photoId: string) => {
    if (!draft.listingId) return;
    try {
      await unwrap(
        api.DELETE('/api/v1/listings/{id}/photos/{photo_id}', {
          params: { path: { id: draft.listingId, photo_id: photoId } },
        }),
      );
      await listing.refetch();
    } catch (err) {
      setError(err);
    }
  };

  const publish = async () => {
    if (!draft.listingId) return;
    setBusy(true);
    setError(null);
    try {
      const fresh = (await listing.refetch()).data;
      const done = await unwrap(
        api.POST('/api/v1/listings/{id}/publish', {
          params: {
            path: { id: draft.listingId },
            header: { 'If-Match': `"${fresh?.version ?? draft.version ?? 0}"` },
          },
        }),
      );
      localStorage.removeItem(DRAFT_KEY);
      void queryClient.invalidateQueries({ queryKey: ['me'] });
      void queryClient.invalidateQueries({ queryKey: ['listing', done.id] });
      navigate(`/listings/${done.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const finish = () => {
    localStorage.removeItem(DRAFT_KEY);
    void queryClient.invalidateQueries({ queryKey: ['me'] });
    navigate(`/listings/${draft.listingId}`);
  };

  const startOver = () => {
    localStorage.removeItem(DRAFT_KEY);
    setDraftState({ ...EMPTY_DRAFT });
    setUploads([]);
    setError(null);
    setLocalErrors({});
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer.files.length) void addFiles(e.dataTransfer.files);
  };

  return (
    <div className="sell">
      <h1 ref={heading} tabIndex={-1}>
        {t('sell.title')}
      </h1>
      <ol className="steps" aria-label={t('sell.progress')}>
        {STEPS.map((k, i) => (
          <li key={k} aria-current={draft.step === i + 1 ? 'step' : undefined}>
            {t(k)}
          </li>
        ))}
      </ol>
      {!user.email_verified && <p className="notice">{t('auth.unverified')}</p>}
      {error != null && Object.keys(byField).length === 0 && other.length === 0 ? <ErrorBox error={error} /> : null}
      {other.length > 0 && (
        <ul role="alert" className="error-box">
          {other.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}

      {draft.step === 1 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (draft.category) setDraft({ step: 2 });
          }}
        >
          <div className="field">
            <label htmlFor="sell-category">{t('filter.category')}</label>
            <select
              id="sell-category"
              required
              value={draft.category}
              onChange={(e) => {
                const node = flat.find((x) => x.node.slug === e.target.value)?.node;
                setDraft({
                  category: e.target.value,
                  group: node?.attribute_group ?? '',
                });
              }}
            >
              <option value="">—</option>
              {flat.map(({ node, depth }) => (
                <option key={node.slug} value={node.slug}>
                  {'\u00a0\u00a0'.repeat(depth)}
                  {categoryName(node, lang)}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            <button type="submit" disabled={!draft.category}>
              {t('sell.next')}
            </button>
          </div>
        </form>
      )}

      {draft.step === 2 && (
        <form onSubmit={saveDetails} noValidate>
          <Field
            id="sell-title"
            label={t('sell.titleField')}
            value={draft.title}
            onChange={(e) => setDraft({ title: e.target.value })}
            error={fieldError('title')}
            required
            maxLength={120}
          />
          <div className={`field${fieldError('description') ? ' field-invalid' : ''}`}>
            <label htmlFor="sell-description">{t('listing.description')}</label>
            <textarea
              id="sell-description"
              rows={6}
              value={draft.description}
              onChange={(e) => setDraft({ description: e.target.value })}
              aria-invalid={fieldError('description') ? true : undefined}
              aria-describedby={fieldError('description') ? 'sell-description-error' : undefined}
            />
            {fieldError('description') && (
              <p id="sell-description-error" className="field-error">
                {fieldError('description')}
              </p>
            )}
          </div>
          <fieldset className="field-group">
            <legend>{t('sell.price')}</legend>
            <Select
              id="sell-kind"
              label={t('sell.priceKind')}
              value={draft.kind}
              onChange={(v) => setDraft({ kind: v as Draft['kind'] })}
              options={KINDS.map((k) => [k, t(`sell.kind.${k}`)])}
              error={draft.kind === 'on_request' ? fieldError('price.kind') ?? fieldError('price') : fieldError('price.kind')}
            />
            {draft.kind !== 'on_request' && (
              <Field
                id="sell-amount"
                label={t('sell.amount')}
                inputMode="decimal"
                value={draft.amount}
                onChange={(e) => setDraft({ amount: e.target.value })}
                error={fieldError('price.amount') ?? fieldError('price')}
              />
            )}
            <Select
              id="sell-currency"
              label={t('sell.currency')}
              value={draft.currency}
              onChange={(v) => setDraft({ currency: v as Draft['currency'] })}
              options={CURRENCIES.map((c) => [c, c])}
              error={fieldError('price.currency')}
            />
          </fieldset>
          <Select
            id="sell-condition"
            label={t('spec.condition')}
            value={draft.condition}
            onChange={(v) => setDraft({ condition: v as Draft['condition'] })}
            options={CONDITIONS.map((c) => [c, t(`condition.${c}`)])}
            error={fieldError('condition')}
          />
          <fieldset className="field-group">
            <legend>{t('listing.location')}</legend>
            <Field
              id="sell-airfield"
              label={t('sell.airfield')}
              value={draft.airfield}
              onChange={(e) => setDraft({ airfield: e.target.value })}
              error={fieldError('location.airfield_icao') ?? fieldError('location')}
              maxLength={4}
            />
            <Field
              id="sell-city"
              label={t('sell.city')}
              value={draft.city}
              onChange={(e) => setDraft({ city: e.target.value })}
              error={fieldError('location.city')}
            />
            <Field
              id="sell-country"
              label={t('filter.country')}
              value={draft.country}
              onChange={(e) => setDraft({ country: e.target.value })}
              error={fieldError('location.country')}
              maxLength={2}
            />
          </fieldset>
          {fields.length > 0 && (
            <fieldset className="field-group">
              <legend>{t('listing.specs')}</legend>
              {fields.map((f) => (
                <AttributeInput
                  key={f.name}
                  field={f}
                  value={draft.attributes[f.name]}
                  error={fieldError(`attributes.${f.name}`)}
                  currency={draft.currency}
                  onChange={(v) => setDraft({ attributes: { ...draft.attributes, [f.name]: v } })}
                />
              ))}
            </fieldset>
          )}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setDraft({ step: 1 })}>
              {t('sell.back')}
            </button>
            <button type="submit" disabled={busy}>
              {t('sell.saveNext')}
            </button>
          </div>
        </form>
      )}

      {draft.step === 3 && (
        <section aria-labelledby="photos-h">
          <h2 id="photos-h">{t('listing.photos')}</h2>
          <div
            className={`dropzone${dragging ? ' dragging' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            data-testid="dropzone"
          >
            <p>{t('sell.drop')}</p>
            <label className="button" htmlFor="sell-files">
              {t('sell.choose')}
            </label>
            <input
              id="sell-files"
              className="visually-hidden"
              type="file"
              accept="image/jpeg,image/png,image/webp"
              multiple
              onChange={(e) => {
                if (e.target.files) void addFiles(Array.from(e.target.files));
                e.target.value = '';
              }}
            />
          </div>
          {uploads.length > 0 && (
            <ul className="uploads" aria-label={t('sell.uploads')}>
              {uploads.map((u) => (
                <li key={u.key} data-done={u.progress >= 1 && !u.error ? 'true' : undefined}>
                  <span>{u.name}</span> <progress max={1} value={u.progress} aria-label={u.name} />
                  {u.error ? <span className="field-error"> {u.error}</span> : u.progress >= 1 ? ' ✓' : ''}
                </li>
              ))}
            </ul>
          )}
          {photos.length > 1 && <p className="hint">{t('sell.dragHint')}</p>}
          <ol className="photo-order" data-testid="photo-order">
            {photos.map((p, i) => (
              <li
                key={p.id}
                data-photo-id={p.id}
                draggable
                className={[dragPhoto === i ? 'drag-source' : '', dropAt === i && dragPhoto !== i ? 'drop-target' : ''].join(' ').trim() || undefined}
                onDragStart={(e) => {
                  setDragPhoto(i);
                  e.dataTransfer.effectAllowed = 'move';
                  e.dataTransfer.setData('text/plain', p.id);
                }}
                onDragOver={(e) => {
                  if (dragPhoto === null) return;
                  e.preventDefault();
                  e.dataTransfer.dropEffect = 'move';
                  if (dropAt !== i) setDropAt(i);
                }}
                onDrop={(e) => {
                  if (dragPhoto === null) return;
                  e.preventDefault();
                  if (dragPhoto !== i) move(dragPhoto, i);
                  setDragPhoto(null);
                  setDropAt(null);
                }}
                onDragEnd={() => {
                  setDragPhoto(null);
                  setDropAt(null);
                }}
              >
                <img
                  src={smallest(p.urls)}
                  draggable={false}
                  alt={t('listing.photo', { n: i + 1, total: photos.length })}
                  width={160}
                  height={120}
                />
                {i === 0 && <span className="badge">{t('sell.cover')}</span>}
                <div className="photo-tools">
                  <button
                    type="button"
                    disabled={i === 0}
                    onClick={() => move(i, i - 1)}
                    aria-label={t('sell.moveBefore', { n: i + 1 })}
                  >
                    ←
                  </button>
                  <button
                    type="button"
                    disabled={i === photos.length - 1}
                    onClick={() => move(i, i + 1)}
                    aria-label={t('sell.moveAfter', { n: i + 1 })}
                  >
                    →
                  </button>
                  {i > 0 && (
                    <button type="button" onClick={() => move(i, 0)}>
                      {t('sell.makeCover')}
                    </button>
                  )}
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => void remove(p.id)}
                    aria-label={t('sell.remove', { n: i + 1 })}
                  >
                    ✕
                  </button>
                </div>
              </li>
            ))}
          </ol>
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setDraft({ step: 2 })}>
              {t('sell.back')}
            </button>
            <button type="button" onClick={() => setDraft({ step: 4 })}>
              {t('sell.next')}
            </button>
          </div>
        </section>
      )}

      {draft.step === 4 && (
        <section aria-labelledby="preview-h">
          <h2 id="preview-h">{t('sell.preview')}</h2>
          {listing.isPending ? (
            <Loading />
          ) : listing.data ? (
            <div className="card pad preview" data-testid="preview">
              {listing.data.photos[0] && (
                <img src={apiUrl(listing.data.photos[0].urls['800'] ?? '')} alt="" width={400} height={300} />
              )}
              <h3>{listing.data.title}</h3>
              <p className="big-price">
                <PriceTag price={listing.data.price} detail />
              </p>
              <p className="description">{listing.data.description}</p>
              <p>
                {t('listing.photos')} : {listing.data.photos.length} ·{' '}
                <Link to={`/listings/${listing.data.id}`}>{t('sell.openPreview')}</Link>
              </p>
            </div>
          ) : null}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setDraft({ step: 3 })}>
              {t('sell.back')}
            </button>
            {listing.data && listing.data.status !== 'draft' ? (
              <button type="button" onClick={finish}>
                {t('sell.finish')}
              </button>
            ) : (
              <button type="button" onClick={() => void publish()} disabled={busy}>
                {t('sell.publish')}
              </button>
            )}
          </div>
        </section>
      )}
      <p>
        <button type="button" className="link-button" onClick={startOver}>
          {t('sell.startOver')}
        </button>
      </p>
    </div>
  );
}

function Select(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: [string, string][];
  error?: string;
  hint?: string;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
      >
        {props.options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      {props.hint && (
        <p id={hintId} className="hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={errorId} className="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

/** The label of one of an attribute's choices (`choice.<field>.<value>`), else the value itself. */
function choiceLabel(t: (k: MessageKey) => string, field: string, value: string): string {
  const key = `choice.${field}.${value}`;
  return key in KNOWN ? t(key as MessageKey) : value;
}

/** A field's help text (`help.<field>`: what TTAF, SMOH, TBO… mean), if it has one. */
function helpText(t: (k: MessageKey) => string, field: string): string | undefined {
  const key = `help.${field}`;
  return key in KNOWN ? t(key as MessageKey) : undefined;
}

/**
 * One attribute of the listing's group, typed by the spec (attribute-fields.json), with its
 * help text and the API's error below it. Amounts of money are typed in major units of the
 * listing's currency, like the price.
 */
function AttributeInput(props: {
  field: AttributeField;
  value: string | boolean | undefined;
  error?: string;
  currency: Draft['currency'];
  onChange: (v: string | boolean) => void;
}) {
  const { t } = useI18n();
  const f = props.field;
  const key = `spec.${f.name}`;
  const money = isMoneyField(f.name);
  const label =
    (key in KNOWN ? t(key as MessageKey) : f.name.replace(/_/g, ' ')) +
    (money ? ` (${props.currency})` : '') +
    (f.required ? ' *' : '');
  const help = helpText(t, f.name);
  const id = `attr-${f.name}`;
  if (f.type === 'object') return null;
  if (f.type === 'boolean') {
    const hintId = help ? `${id}-hint` : undefined;
    return (
      <div className="field checkbox">
        <input
          id={id}
          type="checkbox"
          checked={props.value === true}
          onChange={(e) => props.onChange(e.target.checked)}
          aria-describedby={hintId}
        />
        <label htmlFor={id}>{label}</label>
        {help && (
          <p id={hintId} className="hint">
            {help}
          </p>
        )}
      </div>
    );
  }
  if (f.type === 'enum') {
    return (
      <Select
        id={id}
        label={label}
        value={typeof props.value === 'string' ? props.value : ''}
        onChange={props.onChange}
        options={[['', '—'], ...(f.options ?? []).map((o): [string, string] => [o, choiceLabel(t, f.name, o)])]}
        error={props.error}
        hint={help}
      />
    );
  }
  const hint = [help, f.type === 'list' ? t('sell.listHint') : undefined].filter(Boolean).join(' ');
  return (
    <Field
      id={id}
      label={label}
      type={f.type === 'date' ? 'date' : 'text'}
      inputMode={money || f.type === 'number' ? 'decimal' : f.type === 'integer' ? 'numeric' : undefined}
      value={typeof props.value === 'string' ? props.value : ''}
      onChange={(e) => props.onChange(e.target.value)}
      error={props.error}
      hint={hint || undefined}
      required={f.required}
    />
  );
}
