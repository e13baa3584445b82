// What the moderation area's sections share: the query key they live under (read again after
// every decision), their page size, and the words for the statuses the API reports.
import type { MessageKey } from '../../i18n/messages';

export const MODERATION_KEY = ['moderation'] as const;
export const PAGE = 20;

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;
const LISTING_STATUSES = ['draft', 'published', 'reserved', 'sold', 'expired', 'withdrawn', 'hidden', 'deleted'];
const ACCOUNT_STATUSES = ['active', 'suspended', 'deleted'];

/** A listing's status in words; a status this SPA does not know yet as the API spells it. */
export function listingStatus(t: Translate, status: string): string {
  return LISTING_STATUSES.includes(status) ? t(`status.${status}` as MessageKey) : status;
}

/** An account's status in words, likewise. */
export function accountStatus(t: Translate, status: string): string {
  return ACCOUNT_STATUSES.includes(status) ? t(`moderation.account.${status}` as MessageKey) : status;
}
