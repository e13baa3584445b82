// The specs table of a listing: each attribute in the reader's language and units.
import type { components } from '../api/schema';
import { formatDate, formatHours, formatKg, formatMoney, formatNumber } from '../i18n/format';
import { en, type MessageKey } from '../i18n/messages';
import { translate, type Lang } from '../i18n/lang';
import { isMoneyField } from './money';

type Currency = components['schemas']['Currency'];

const HOURS = /(_hours|_smoh|hours_to_tbo|^smoh|hours_since_new|hours_since_overhaul)$/;
const KG = /_kg$/;
const DATES = /(_date|_expiry|_inspection)$/;

export interface SpecRow {
  key: string;
  label: string;
  value: string;
}

function label(lang: Lang, key: string): string {
  const k = `spec.${key}`;
  if (k in en) return translate(lang, k as MessageKey);
  return key.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

/** One attribute as text; amounts of money (minor units) in `currency`, the listing's. */
export function formatSpec(lang: Lang, key: string, value: unknown, currency: Currency = 'EUR'): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : null;
  if (typeof value === 'boolean') return translate(lang, value ? 'common.yes' : 'common.no');
  if (typeof value === 'number') {
    if (isMoneyField(key)) return formatMoney(lang, value, currency);
    if (HOURS.test(key)) return formatHours(lang, value);
    if (KG.test(key)) return formatKg(lang, value);
    if (key === 'year') return String(value);
    return formatNumber(lang, value, 2);
  }
  if (typeof value === 'string') {
    if (DATES.test(key) && /^\d{4}-\d{2}-\d{2}/.test(value)) return formatDate(lang, value);
    const choice = `choice.${key}.${value}`;
    if (choice in en) return translate(lang, choice as MessageKey);
    return value;
  }
  return JSON.stringify(value);
}

/** The order buyers read an aircraft's specs in; other attributes follow in the API's order. */
const ORDER = [
  'make', 'model', 'variant', 'year', 'registration', 'serial_number', 'ttaf_hours', 'seats', 'ifr', 'avionics',
  'engine_make', 'engine_model', 'engine_hours_since_new', 'engine_smoh', 'engine_tbo_hours', 'hours_to_tbo',
  'engine_overhaul_date', 'propeller_type', 'propeller_hours_since_overhaul', 'fuel', 'mtow_kg', 'empty_mass_kg',
  'elt', 'parachute_system', 'arc_expiry', 'last_annual_inspection', 'damage', 'damage_details', 'hangared',
  'logbooks_complete',
];
const rank = (key: string) => {
  const i = ORDER.indexOf(key);
  return i < 0 ? ORDER.length : i;
};

/**
 * The rows to show, in reading order, skipping empty values. `extra` adds values the listing
 * carries outside its attributes (hours to TBO); `currency` is the listing's, for amounts.
 */
export function specRows(
  lang: Lang,
  attributes: object,
  extra: Record<string, unknown> = {},
  currency: Currency = 'EUR',
): SpecRow[] {
  const rows: SpecRow[] = [];
  for (const [key, value] of Object.entries({ ...attributes, ...extra })) {
    const text = formatSpec(lang, key, value, currency);
    if (text !== null) rows.push({ key, label: label(lang, key), value: text });
  }
  return rows.sort((a, b) => rank(a.key) - rank(b.key));
}
