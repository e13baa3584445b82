// The bell's unread count: the `unread_count` of a one-item page of my notifications, read
// again every minute while the page is open, and after anything that marks notifications read.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useAuth } from '../api/auth';

export const UNREAD_KEY = ['me', 'notifications', 'unread'] as const;

export function useUnreadCount(): number | undefined {
  const { user } = useAuth();
  const q = useQuery({
    queryKey: UNREAD_KEY,
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/users/me/notifications', { params: { query: { limit: 1 } } }))).unread_count,
    enabled: !!user,
    refetchInterval: 60_000,
    staleTime: 30_000,
  });
  return user ? q.data : undefined;
}
