import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { ApiError, splitFieldErrors } from '../api/problem';
import { fromMinor, toMinor } from '../i18n/format';
import { useI18n } from '../i18n/I18n';
import { Field } from './Field';

/** The seller's quick price change on their listing page (PATCH with the version as If-Match). */
export function PriceEditor({ listing }: { listing: Schemas['ListingView'] }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState(
    listing.price.amount == null ? '' : String(fromMinor(listing.price.amount, listing.price.currency)),
  );
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const { byField, other } = splitFieldErrors(error instanceof ApiError ? error.problem : null, ['price', 'price.amount']);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const n = Number(amount.replace(/\s/g, '').replace(',', '.'));
    if (!Number.isFinite(n) || amount.trim() === '') {
      setError(new ApiError(422, null, t('sell.invalid.number')));
      return;
    }
    setBusy(true);
    try {
      await unwrap(
        api.PATCH('/api/v1/listings/{id}', {
          params: { path: { id: listing.id }, header: { 'If-Match': `"${listing.version}"` } },
          body: { price: { ...listing.price, amount: toMinor(n, listing.price.currency), kind: listing.price.kind === 'on_request' ? 'negotiable' : listing.price.kind } },
        }),
      );
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      // Shows the new price and history (or, after a 412, the listing as it is now).
      void queryClient.invalidateQueries({ queryKey: ['listing', listing.id] });
    }
  };

  const message =
    byField['price.amount'] ??
    byField.price ??
    (error instanceof ApiError && error.status === 412 ? t('edit.conflict') : error ? (other.join(' ') || (error as Error).message) : undefined);

  return (
    <details className="price-editor">
      <summary>{t('edit.price')}</summary>
      <form onSubmit={submit} className="price-edit" noValidate>
        <Field
          id="edit-amount"
          label={`${t('edit.newPrice')} (${listing.price.currency})`}
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          error={message}
        />
        <button type="submit" disabled={busy}>
          {t('edit.save')}
        </button>
      </form>
      {saved && (
        <p role="status" className="notice">
          {t('edit.saved')}
        </p>
      )}
    </details>
  );
}
