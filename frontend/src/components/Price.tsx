import type { Schemas } from '../api/client';
import { formatMoney } from '../i18n/format';
import { useI18n } from '../i18n/I18n';

export function PriceTag({ price, detail = false }: { price: Schemas['Price']; detail?: boolean }) {
  const { t, lang } = useI18n();
  if (price.kind === 'on_request' || price.amount == null) return <span className="price">{t('price.on_request')}</span>;
  return (
    <span className="price">
      <span className="price-amount">{formatMoney(lang, price.amount, price.currency)}</span>
      {detail && price.kind === 'negotiable' && <span className="price-note"> {t('price.negotiable')}</span>}
      {detail && price.kind === 'exchange' && <span className="price-note"> {t('price.exchange')}</span>}
      {detail && price.vat_included != null && (
        <span className="price-note"> {price.vat_included ? t('price.vatIncluded') : t('price.vatExcluded')}</span>
      )}
    </span>
  );
}
