// A list read page by page with the API's keyset cursors (`next_cursor`, null on the last
// page): the pages read so far, their items end to end, and whether there is a next page.
import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';

/** What every paged list of the API answers. */
export interface KeysetPage<T> {
  items: T[];
  next_cursor?: string | null;
}

export function useKeysetList<P extends KeysetPage<unknown>>({
  queryKey,
  page,
  enabled,
}: {
  queryKey: QueryKey;
  /** Reads one page: the first without a cursor, the next ones with the previous page's. */
  page: (cursor: string | undefined) => Promise<P>;
  enabled?: boolean;
}) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => page(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
  });
  const pages = query.data?.pages ?? [];
  const items = pages.flatMap((p) => p.items) as P['items'];
  return { query, pages, items };
}

export type KeysetList<P extends KeysetPage<unknown>> = ReturnType<typeof useKeysetList<P>>;
