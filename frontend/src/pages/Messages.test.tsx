// @vitest-environment jsdom
// The inbox: each conversation's listing, other party, last message and unread badge.
import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import Messages from './Messages';
import { MessagesLink } from '../components/MessagesLink';
import { fakeApi, ME, plain, renderPage, session } from '../test/render';
import { CONV, conversation, message } from '../test/messages';

const CONV2 = '0193b9a4-0000-7000-8000-0000000000c2';

describe('messages inbox', () => {
  it('lists conversations with unread badges, last message, listing and other party', async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/conversations': {
        body: {
          items: [
            conversation({ unread_count: 2, last_message: message(3, false, 'Yes, come on Saturday.', false) }),
            conversation({
              id: CONV2, listing_title: 'Cessna 172', role: 'seller', unread_count: 0,
              other_party: { id: 'x', display_name: 'Marie Curie', professional: false, deleted: false },
              last_message: message(4, true, 'Thanks!'),
            }),
          ],
          next_cursor: null,
        },
      },
    });
    renderPage(
      <>
        <MessagesLink />
        <Messages />
      </>,
      { path: '/me/messages', lang: 'en' },
    );
    const rows = await screen.findAllByTestId('conversation');
    const [a, b] = rows as [HTMLElement, HTMLElement];
    expect(within(a).getByRole('link', { name: 'Robin DR400-140B' }).getAttribute('href')).toBe(`/me/messages/${CONV}`);
    expect(within(a).getByTestId('conversation-unread').textContent).toBe('2 unread');
    expect(a.className).toContain('unread');
    expect(plain(a.textContent)).toContain('With the seller: Aéroclub du Vexin');
    expect(a.textContent).toContain('Yes, come on Saturday.');
    expect(within(b).queryByTestId('conversation-unread')).toBeNull();
    expect(b.textContent).toContain('With the buyer: Marie Curie');
    expect(b.textContent).toContain('You: Thanks!');
    // The header's link: the unread total, in its name.
    const link = screen.getByTestId('messages-link');
    expect(screen.getByTestId('messages-count').textContent).toBe('2');
    expect(plain(link.textContent)).toBe('Messages 2 unread');
  });

  it('says when there is nothing yet', async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/conversations': { body: { items: [], next_cursor: null } },
    });
    renderPage(<Messages />, { path: '/me/messages', lang: 'fr' });
    expect(await screen.findByText(/Aucune conversation/)).toBeTruthy();
  });
});
