// @vitest-environment jsdom
// "Contact the seller": the first message is posted on the listing, then the thread opens.
import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ContactSeller } from './ContactSeller';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';
import { CONV, conversation, LISTING, message } from '../test/messages';

describe('contact the seller', () => {
  it('sends the first message and opens the thread', async () => {
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/conversations': { body: { items: [], next_cursor: null } },
      [`POST /api/v1/listings/${LISTING}/conversations`]: (c) => ({
        status: 201,
        body: { conversation: conversation(), message: message(1, true, (c.body as { body: string }).body) },
      }),
    });
    const { router } = renderPage(<ContactSeller listingId={LISTING} />, { path: `/listings/${LISTING}`, lang: 'en' });
    const user = userEvent.setup();
    const box = await screen.findByLabelText('Your message');
    expect(screen.getByRole('button', { name: 'Send the message' })).toHaveProperty('disabled', true);
    await user.type(box, 'Is it still available?');
    expect(screen.getByText('22 / 5000 characters')).toBeTruthy();
    expect(box.getAttribute('maxlength')).toBe('5000');
    await user.click(screen.getByRole('button', { name: 'Send the message' }));
    await waitFor(() => expect(router.state.location.pathname).toBe(`/me/messages/${CONV}`));
    const post = calls.find((c) => c.method === 'POST' && c.path.endsWith('/conversations'));
    expect(post?.body).toEqual({ body: 'Is it still available?' });
  });

  it("says the API's refusal (403 when the seller blocked you)", async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      [`POST /api/v1/listings/${LISTING}/conversations`]: {
        status: 403,
        body: problemBody(403, 'forbidden', 'This member does not accept your messages.'),
      },
    });
    const { router } = renderPage(<ContactSeller listingId={LISTING} />, { path: `/listings/${LISTING}`, lang: 'en' });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Your message'), 'Hello');
    await user.click(screen.getByRole('button', { name: 'Send the message' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This message cannot be sent.');
    expect(alert.textContent).toContain('This member does not accept your messages.');
    expect(router.state.location.pathname).toBe(`/listings/${LISTING}`);
  });
});
