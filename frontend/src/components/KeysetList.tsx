import type { ReactNode } from 'react';
import type { KeysetList as List, KeysetPage } from '../hooks/useKeysetList';
import { useI18n } from '../i18n/I18n';
import { ErrorBox, Loading } from './Status';

/**
 * A list from `useKeysetList` in its states: loading, the error (with a retry), `empty` when
 * there is nothing, else `children` with the items, then "Show more" while the API has a next
 * page (disabled while it is read).
 */
export function KeysetList<P extends KeysetPage<unknown>>({
  list,
  empty,
  children,
}: {
  list: List<P>;
  empty: string;
  children: (items: P['items']) => ReactNode;
}) {
  const { t } = useI18n();
  const { query, items } = list;
  return (
    <>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorBox error={query.error} onRetry={() => void query.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        children(items)
      )}
      {query.hasNextPage && (
        <p>
          <button type="button" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {t('common.more')}
          </button>
        </p>
      )}
    </>
  );
}
