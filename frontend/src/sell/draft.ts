// The listing form's state (what the seller typed, as text) and its conversion to the API's
// ListingInput. Kept in localStorage so a draft survives a reload.
import type { components } from '../api/schema';
import fieldsByGroup from '../api/attribute-fields.json';
import { toMinor, fromMinor } from '../i18n/format';
import { isMoneyField } from '../listing/money';

type S = components['schemas'];
export type ListingInput = S['ListingInput'];

export interface AttributeField {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'enum' | 'list' | 'object';
  required: boolean;
  options?: string[];
  description?: string;
}

export const ATTRIBUTE_FIELDS = fieldsByGroup as Record<string, AttributeField[]>;

export function fieldsOf(group: string | undefined): AttributeField[] {
  return (group && ATTRIBUTE_FIELDS[group.toLowerCase()]) || [];
}

export interface Draft {
  step: 1 | 2 | 3 | 4;
  category: string;
  group: string;
  title: string;
  description: string;
  amount: string; // major units, as typed
  currency: S['Currency'];
  kind: S['PriceKind'];
  condition: S['Condition'];
  airfield: string;
  city: string;
  country: string;
  attributes: Record<string, string | boolean>;
  /** Once saved: the draft listing on the server and its version (ETag). */
  listingId?: string;
  version?: number;
}

export const EMPTY_DRAFT: Draft = {
  step: 1,
  category: '',
  group: '',
  title: '',
  description: '',
  amount: '',
  currency: 'EUR',
  kind: 'negotiable',
  condition: 'used',
  airfield: '',
  city: '',
  country: '',
  attributes: {},
};

export const DRAFT_KEY = 'hangar.sell.draft.v1';

export function loadDraft(storage: Pick<Storage, 'getItem'> | undefined): Draft {
  try {
    const raw = storage?.getItem(DRAFT_KEY);
    if (!raw) return { ...EMPTY_DRAFT };
    return { ...EMPTY_DRAFT, ...(JSON.parse(raw) as Partial<Draft>) };
  } catch {
    return { ...EMPTY_DRAFT };
  }
}

/** An amount typed in major units ("65 000", "12,50"), or null when it is not a number. */
export function parseMajor(text: string): number | null {
  const compact = text.replace(/\s/g, '').replace(',', '.');
  if (compact === '') return null;
  const n = Number(compact);
  return Number.isFinite(n) ? n : null;
}

/**
 * Attribute values typed by the API's schema; text that is not a number gives a field error.
 * Amounts of money (`MONEY_FIELDS`) are typed in major units of `currency` and sent in minor
 * units, like the price.
 */
export function buildAttributes(
  fields: readonly AttributeField[],
  raw: Record<string, string | boolean>,
  currency: S['Currency'] = 'EUR',
): { value: Record<string, unknown>; errors: Record<string, string> } {
  const value: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const v = raw[f.name];
    if (f.type === 'boolean') {
      if (typeof v === 'boolean') value[f.name] = v;
      continue;
    }
    const text = typeof v === 'string' ? v.trim() : '';
    if (text === '') continue;
    if (isMoneyField(f.name)) {
      const n = parseMajor(text);
      if (n === null) errors[f.name] = 'number';
      else value[f.name] = toMinor(n, currency);
      continue;
    }
    switch (f.type) {
      case 'integer':
        if (/^-?\d+$/.test(text)) value[f.name] = Number(text);
        else errors[f.name] = 'integer';
        break;
      case 'number': {
        const n = Number(text.replace(',', '.'));
        if (Number.isFinite(n)) value[f.name] = n;
        else errors[f.name] = 'number';
        break;
      }
      case 'list':
        value[f.name] = text
          .split(/[\n,]/)
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case 'object':
        break;
      default:
        value[f.name] = text;
    }
  }
  return { value, errors };
}

/** The API body for a draft (never `publish`: publishing is its own step). */
export function toListingInput(d: Draft): { body: ListingInput; errors: Record<string, string> } {
  const { value, errors: attrErrors } = buildAttributes(fieldsOf(d.group), d.attributes, d.currency);
  const errors: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrErrors)) errors[`attributes.${k}`] = v;
  let amount: number | null = null;
  if (d.kind !== 'on_request') {
    const n = parseMajor(d.amount);
    if (n === null) errors['price.amount'] = 'number';
    else amount = toMinor(n, d.currency);
  }
  const body: ListingInput = {
    category: d.category,
    title: d.title.trim(),
    description: d.description.trim(),
    price: { amount, currency: d.currency, kind: d.kind },
    condition: d.condition,
    location: {
      airfield_icao: d.airfield.trim().toUpperCase() || null,
      city: d.city.trim() || null,
      country: d.country.trim().toUpperCase() || null,
    },
    // Shaped by the group's schema at run time (attribute-fields.json, generated from the spec).
    attributes: value as ListingInput['attributes'],
  };
  return { body, errors };
}

/** A draft filled from a listing the server holds (to edit it). */
export function fromListing(l: S['ListingView'], group: string): Draft {
  const attributes: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(l.attributes as Record<string, unknown>)) {
    if (typeof v === 'boolean') attributes[k] = v;
    else if (typeof v === 'number' && isMoneyField(k)) attributes[k] = String(fromMinor(v, l.price.currency));
    else if (Array.isArray(v)) attributes[k] = v.join('\n');
    else if (v != null && typeof v !== 'object') attributes[k] = String(v);
  }
  return {
    ...EMPTY_DRAFT,
    step: 2,
    category: l.category,
    group,
    title: l.title,
    description: l.description,
    amount: l.price.amount == null ? '' : String(fromMinor(l.price.amount, l.price.currency)),
    currency: l.price.currency,
    kind: l.price.kind,
    condition: l.condition,
    airfield: l.location.airfield_icao ?? '',
    city: l.location.city ?? '',
    country: l.location.country ?? '',
    attributes,
    listingId: l.id,
    version: l.version,
  };
}
