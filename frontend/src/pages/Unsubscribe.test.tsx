// @vitest-environment jsdom
// The unsubscribe link: its token posted once, without a session; what it turned off, or the
// API's refusal in words.
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import Unsubscribe from './Unsubscribe';
import { fakeApi, problemBody, renderPage, session } from '../test/render';

describe('unsubscribe page', () => {
  it('posts the token and says which search was turned off', async () => {
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(null),
      'POST /api/v1/unsubscribe': { body: { scope: 'saved_search', saved_search: { id: 's1', name: 'DR400' } } },
    });
    renderPage(<Unsubscribe />, { path: '/unsubscribe?token=abc.def' });
    expect((await screen.findByTestId('unsubscribed')).textContent).toContain("Vous ne recevrez plus d'alertes pour « DR400 ».");
    expect(calls.filter((c) => c.path === '/api/v1/unsubscribe').map((c) => c.body)).toEqual([{ token: 'abc.def' }]);
  });

  it("shows the API's problem for a used or tampered link", async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(null),
      'POST /api/v1/unsubscribe': { status: 400, body: problemBody(400, 'bad-token', 'This link is invalid or was already used.') },
    });
    renderPage(<Unsubscribe />, { path: '/unsubscribe?token=tampered', lang: 'en' });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This link is invalid or was already used.');
    expect(alert.textContent).toContain('0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21');
  });
});
