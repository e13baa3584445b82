// @vitest-environment jsdom
// A thread: messages oldest first, marked read on opening, a reply sent (focus back in the box),
// the API's 403 / 429 said, block after confirming, the blocked state explained.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Conversation from './Conversation';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';
import { CONV, conversation, message } from '../test/messages';

const PATH = `/api/v1/conversations/${CONV}`;

describe('conversation thread', () => {
  it('shows messages oldest first, marks read, sends a reply', async () => {
    const msgs = [message(1, true, 'Is it still available?'), message(2, false, 'Yes, come on Saturday.', false)];
    let conv = conversation({ unread_count: 1 });
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      [`GET ${PATH}`]: () => ({ body: conv }),
      [`GET ${PATH}/messages`]: () => ({ body: { items: msgs, next_cursor: null } }),
      [`POST ${PATH}/read`]: () => ((conv = { ...conv, unread_count: 0 }), { body: { marked: 1, conversation: conv } }),
      [`POST ${PATH}/messages`]: (c) => ({ status: 201, body: message(3, true, (c.body as { body: string }).body) }),
      'GET /api/v1/users/me/conversations': { body: { items: [], next_cursor: null } },
      'GET /api/v1/users/me/notifications': { body: { items: [], next_cursor: null, unread_count: 0 } },
    });
    renderPage(<Conversation />, { path: `/me/messages/${CONV}`, pattern: '/me/messages/:id', lang: 'en' });
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Robin DR400-140B' });
    const items = await screen.findAllByTestId('message');
    expect(items.map((m) => within(m).getByText(/Saturday|available/).textContent)).toEqual([
      'Is it still available?',
      'Yes, come on Saturday.',
    ]);
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === `${PATH}/read`)).toBe(true));

    const box = screen.getByLabelText('Your reply');
    await user.type(box, 'See you then.');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getAllByTestId('message')).toHaveLength(3));
    expect(screen.getAllByTestId('message')[2]?.textContent).toContain('See you then.');
    expect((box as HTMLTextAreaElement).value).toBe('');
    expect(document.activeElement).toBe(box);
    expect(screen.getByRole('status').textContent).toBe('Message sent.');
    expect(calls.find((c) => c.method === 'POST' && c.path === `${PATH}/messages`)?.body).toEqual({ body: 'See you then.' });
  });

  it("says the API's 429 and 403 readably", async () => {
    let attempt = 0;
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      [`GET ${PATH}`]: { body: conversation() },
      [`GET ${PATH}/messages`]: { body: { items: [message(1, true, 'Hello')], next_cursor: null } },
      [`POST ${PATH}/messages`]: () =>
        ++attempt === 1
          ? { status: 429, headers: { 'Retry-After': '540' }, body: problemBody(429, 'too-many-requests', 'Too many messages: retry in 540 s.') }
          : { status: 403, body: problemBody(403, 'forbidden', 'You cannot write in this conversation.') },
    });
    renderPage(<Conversation />, { path: `/me/messages/${CONV}`, pattern: '/me/messages/:id', lang: 'en' });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Your reply'), 'Again');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    let alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('You sent too many messages in a short time');
    expect(alert.textContent).toContain('Too many messages: retry in 540 s.');
    expect((screen.getByLabelText('Your reply') as HTMLTextAreaElement).value).toBe('Again');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('You cannot write in this conversation.'));
    alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('This message cannot be sent.');
  });

  it('blocks after confirming, explains the blocked state, unblocks', async () => {
    let conv = conversation();
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      [`GET ${PATH}`]: () => ({ body: conv }),
      [`GET ${PATH}/messages`]: { body: { items: [message(1, false, 'Buy my plane')], next_cursor: null } },
      [`POST ${PATH}/block`]: () => ((conv = { ...conv, blocked_by_me: true, can_reply: false }), { body: conv }),
      [`DELETE ${PATH}/block`]: () => ((conv = { ...conv, blocked_by_me: false, can_reply: true }), { body: conv }),
      'GET /api/v1/users/me/conversations': { body: { items: [], next_cursor: null } },
    });
    renderPage(<Conversation />, { path: `/me/messages/${CONV}`, pattern: '/me/messages/:id', lang: 'en' });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Block Aéroclub du Vexin' }));
    expect(calls.some((c) => c.path === `${PATH}/block`)).toBe(false);
    expect(screen.getByText(/will not be able to write to you/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Yes, block Aéroclub du Vexin' }));
    expect((await screen.findByTestId('blocked')).textContent).toContain('You blocked Aéroclub du Vexin');
    expect(screen.queryByLabelText('Your reply')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Unblock Aéroclub du Vexin' }));
    expect(await screen.findByLabelText('Your reply')).toBeTruthy();
    expect(calls.filter((c) => c.path === `${PATH}/block`).map((c) => c.method)).toEqual(['POST', 'DELETE']);
  });

  it('explains when the other party blocked me', async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      [`GET ${PATH}`]: { body: conversation({ can_reply: false }) },
      [`GET ${PATH}/messages`]: { body: { items: [message(1, true, 'Hello')], next_cursor: null } },
    });
    renderPage(<Conversation />, { path: `/me/messages/${CONV}`, pattern: '/me/messages/:id', lang: 'fr' });
    expect((await screen.findByTestId('blocked')).textContent).toContain('Vous ne pouvez plus écrire');
    expect(screen.queryByLabelText('Votre réponse')).toBeNull();
  });
});
