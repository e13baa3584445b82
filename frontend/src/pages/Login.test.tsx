// @vitest-environment jsdom
// The login form: the API's refusals shown as a readable message or next to their field.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Login from './Login';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';

async function fill(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Adresse e-mail'), email);
  await user.type(screen.getByLabelText('Mot de passe'), password);
  await user.click(screen.getByRole('button', { name: 'Se connecter' }));
}

describe('login form', () => {
  it('shows a refused login as a readable message with its request id, and keeps what was typed', async () => {
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(null),
      'POST /api/v1/auth/login': { status: 401, body: problemBody(401, 'unauthorized', 'Wrong email or password.') },
    });
    renderPage(<Login />, { path: '/login' });
    await fill('jean.dupont@example.fr', 'pas le bon mot de passe');
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Wrong email or password.')).toBeTruthy();
    expect(within(alert).getByText('Référence : 0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21')).toBeTruthy();
    expect((screen.getByLabelText('Adresse e-mail') as HTMLInputElement).value).toBe('jean.dupont@example.fr');
    expect(screen.getByLabelText('Mot de passe').getAttribute('aria-invalid')).toBeNull();
    const login = calls.find((c) => c.path === '/api/v1/auth/login');
    expect(login?.body).toEqual({ email: 'jean.dupont@example.fr', password: 'pas le bon mot de passe', token_delivery: 'cookie' });
  });

  it('puts field errors next to their fields, and the rest of them at the top', async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(null),
      'POST /api/v1/auth/login': {
        status: 422,
        body: problemBody(422, 'validation', '2 fields are invalid.', {
          email: ['must be a valid email address'],
          token_delivery: ['must be body or cookie'],
        }),
      },
    });
    renderPage(<Login />, { path: '/login' });
    await fill('jean', 'x');
    const email = screen.getByLabelText('Adresse e-mail');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(email.getAttribute('aria-describedby') ?? '')?.textContent).toBe('must be a valid email address');
    expect(within(screen.getByRole('alert')).getByText('token_delivery: must be body or cookie')).toBeTruthy();
    // The general box is not shown on top of the field's message.
    expect(screen.queryByText('2 fields are invalid.')).toBeNull();
  });

  it('says when the API cannot be reached, then logs in and follows ?next=', async () => {
    let attempt = 0;
    fakeApi({
      'POST /api/v1/auth/refresh': session(null),
      'POST /api/v1/auth/login': () => {
        attempt += 1;
        if (attempt === 1) return { status: 503, body: problemBody(503, 'unavailable', 'The database is unavailable; retry shortly.') };
        return session(ME);
      },
    });
    const { router } = renderPage(<Login />, { path: '/login?next=/me/listings' });
    expect(screen.getByText('Connectez-vous pour voir cette page.')).toBeTruthy();
    await fill('jean.dupont@example.fr', 'Vol de nuit au-dessus de la Beauce');
    expect(await screen.findByText('The database is unavailable; retry shortly.')).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Se connecter' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/me/listings'));
  });
});
