// Which listings the logged-in member keeps as favourites: read once (every page of
// GET /users/me/favorites) and shared by every favourite button, so a page of cards costs one
// request, not one per card. Toggling updates the set at once and reads the list again.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useAuth } from '../api/auth';

export const FAVORITE_IDS_KEY = ['me', 'favorites', 'ids'] as const;

async function allFavoriteIds(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  // The API keeps at most 1,000 favourites: ten pages of 100.
  for (let i = 0; i < 10; i++) {
    const page = await unwrap(api.GET('/api/v1/users/me/favorites', { params: { query: { limit: 100, cursor } } }));
    ids.push(...page.items.map((f) => f.listing_id));
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return ids;
}

/** The ids of my favourites (empty while logged out or loading). */
export function useFavoriteIds(): { ids: ReadonlySet<string>; ready: boolean } {
  const { user } = useAuth();
  const q = useQuery({ queryKey: FAVORITE_IDS_KEY, queryFn: allFavoriteIds, enabled: !!user, staleTime: 60_000 });
  return { ids: new Set(q.data ?? []), ready: q.isSuccess };
}

/** Adds (`on`) or removes a favourite: PUT or DELETE /listings/{id}/favorite. */
export function useToggleFavorite(listingId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (on: boolean) => {
      const params = { path: { id: listingId } };
      if (on) await unwrap(api.PUT('/api/v1/listings/{id}/favorite', { params }));
      else await unwrap(api.DELETE('/api/v1/listings/{id}/favorite', { params }));
      return on;
    },
    onSuccess: (on) => {
      queryClient.setQueryData<string[]>(FAVORITE_IDS_KEY, (old = []) =>
        on ? [...old.filter((id) => id !== listingId), listingId] : old.filter((id) => id !== listingId),
      );
      void queryClient.invalidateQueries({ queryKey: ['me', 'favorites'] });
    },
  });
}
