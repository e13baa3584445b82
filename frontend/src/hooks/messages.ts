// My conversations (the inbox) and the header's unread total: the sum of the unread counts of
// the inbox's first page (100 conversations, most recent activity first), read every minute.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useAuth } from '../api/auth';

export const INBOX_KEY = ['me', 'conversations'] as const;

export function useInbox() {
  const { user } = useAuth();
  return useQuery({
    queryKey: INBOX_KEY,
    queryFn: () => unwrap(api.GET('/api/v1/users/me/conversations', { params: { query: { limit: 100 } } })),
    enabled: !!user,
    refetchInterval: 60_000,
    staleTime: 30_000,
  });
}

export function useMessagesUnread(): number | undefined {
  const { user } = useAuth();
  const q = useInbox();
  return user && q.data ? q.data.items.reduce((n, c) => n + c.unread_count, 0) : undefined;
}
