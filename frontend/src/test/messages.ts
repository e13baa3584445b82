// Conversations and messages as the API sends them, for the messaging component tests.
export const CONV = '0193b9a4-0000-7000-8000-0000000000c1';
export const LISTING = '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21';
export const OTHER = '0193b9a4-0000-7000-8000-000000000002';
const ME_ID = '0193b9a4-0000-7000-8000-000000000001';

export function message(n: number, fromMe: boolean, body: string, read = true) {
  return {
    id: `0193b9a4-0000-7000-8000-0000000001${String(n).padStart(2, '0')}`,
    conversation_id: CONV,
    sender_id: fromMe ? ME_ID : OTHER,
    from_me: fromMe,
    body,
    created_at: `2026-11-28T10:${String(n).padStart(2, '0')}:00Z`,
    read_at: read ? '2026-11-28T11:00:00Z' : null,
  };
}

export function conversation(over: Record<string, unknown> = {}) {
  return {
    id: CONV,
    listing_id: LISTING,
    listing_title: 'Robin DR400-140B',
    listing: null,
    role: 'buyer',
    other_party: { id: OTHER, display_name: 'Aéroclub du Vexin', professional: false, deleted: false },
    last_message: null,
    unread_count: 0,
    blocked_by_me: false,
    can_reply: true,
    created_at: '2026-11-28T10:00:00Z',
    last_message_at: '2026-11-28T10:00:00Z',
    ...over,
  };
}
