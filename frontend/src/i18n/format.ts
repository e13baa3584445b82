import type { components } from '../api/schema';
import { intlLocale, type Lang } from './lang';

type Currency = components['schemas']['Currency'];

/** Digits after the decimal point of each currency Hangar trades in (all four use cents). */
const MINOR_DIGITS: Record<Currency, number> = { EUR: 2, CHF: 2, GBP: 2, USD: 2 };

/** An amount in minor units (the API's integers) as money: 6500000 EUR → "65 000 €". */
export function formatMoney(lang: Lang, minor: number, currency: Currency): string {
  const digits = MINOR_DIGITS[currency];
  const major = minor / 10 ** digits;
  const whole = Number.isInteger(major);
  return new Intl.NumberFormat(intlLocale(lang), {
    style: 'currency',
    currency,
    minimumFractionDigits: whole ? 0 : digits,
    maximumFractionDigits: digits,
  }).format(major);
}

/** Major units typed by a person (a price filter) → the API's minor units. */
export function toMinor(major: number, currency: Currency = 'EUR'): number {
  return Math.round(major * 10 ** MINOR_DIGITS[currency]);
}

export function fromMinor(minor: number, currency: Currency = 'EUR'): number {
  return minor / 10 ** MINOR_DIGITS[currency];
}

export function formatNumber(lang: Lang, n: number, maxDigits = 1): string {
  return new Intl.NumberFormat(intlLocale(lang), { maximumFractionDigits: maxDigits }).format(n);
}

/** A date-time or date (ISO text) as a date in the reader's language. */
export function formatDate(lang: Lang, iso: string): string {
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

export function formatKm(lang: Lang, km: number): string {
  return new Intl.NumberFormat(intlLocale(lang), {
    style: 'unit',
    unit: 'kilometer',
    maximumFractionDigits: km < 10 ? 1 : 0,
  }).format(km);
}

export function formatKg(lang: Lang, kg: number): string {
  return new Intl.NumberFormat(intlLocale(lang), { style: 'unit', unit: 'kilogram' }).format(kg);
}

export function formatHours(lang: Lang, h: number): string {
  return new Intl.NumberFormat(intlLocale(lang), { style: 'unit', unit: 'hour', maximumFractionDigits: 1 }).format(h);
}

export function formatDateTime(lang: Lang, iso: string): string {
  return new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}
