// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PriceEditor } from './PriceEditor';
import { fakeApi, problemBody, renderPage, session, ME } from '../test/render';
import type { Schemas } from '../api/client';

const listing = {
  id: '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21',
  version: 3,
  price: { amount: 6_500_000, currency: 'CHF', kind: 'on_request' },
} as unknown as Schemas['ListingView'];

async function open() {
  const user = userEvent.setup();
  await user.click(screen.getByText('Modifier le prix'));
  const input = screen.getByLabelText('Nouveau prix (CHF)');
  return { user, input };
}

describe('PriceEditor', () => {
  it("sends the new price in minor units with the listing's version as If-Match", async () => {
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'PATCH /api/v1/listings/0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21': { body: { ...listing, version: 4 } },
    });
    renderPage(<PriceEditor listing={listing} />);
    const { user, input } = await open();
    expect((input as HTMLInputElement).value).toBe('65000');
    await user.clear(input);
    await user.type(input, '62 000,50');
    await user.click(screen.getByRole('button', { name: 'Enregistrer' }));
    expect(await screen.findByRole('status')).toHaveProperty('textContent', 'Prix modifié.');
    const patch = calls.find((c) => c.method === 'PATCH');
    expect(patch?.headers.get('If-Match')).toBe('"3"');
    // A price "on request" given an amount becomes negotiable.
    expect(patch?.body).toEqual({ price: { amount: 6_200_050, currency: 'CHF', kind: 'negotiable' } });
  });

  it('refuses text that is not a number next to the field, without asking the API', async () => {
    const calls = fakeApi({ 'POST /api/v1/auth/refresh': session(ME) });
    renderPage(<PriceEditor listing={listing} />);
    const { user, input } = await open();
    await user.clear(input);
    await user.type(input, 'cher');
    await user.click(screen.getByRole('button', { name: 'Enregistrer' }));
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const error = document.getElementById(input.getAttribute('aria-describedby') ?? '');
    expect(error?.textContent).toBe('Saisissez un nombre.');
    expect(calls.filter((c) => c.method === 'PATCH')).toEqual([]);
  });

  it("shows the API's field error next to the field, and a readable message for a stale version", async () => {
    let answer = 0;
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'PATCH /api/v1/listings/0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21': () =>
        answer++ === 0
          ? { status: 422, body: problemBody(422, 'validation', 'Invalid values.', { 'price.amount': ['must be at most 10000000000'] }) }
          : { status: 412, body: problemBody(412, 'precondition-failed', 'The listing changed since you read it.') },
    });
    renderPage(<PriceEditor listing={listing} />);
    const { user, input } = await open();
    await user.clear(input);
    await user.type(input, '999999999999');
    await user.click(screen.getByRole('button', { name: 'Enregistrer' }));
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(input.getAttribute('aria-describedby') ?? '')?.textContent).toBe('must be at most 10000000000');
    await user.click(screen.getByRole('button', { name: 'Enregistrer' }));
    await screen.findByText("L'annonce a changé entre-temps : vérifiez et recommencez.");
    expect(screen.queryByRole('status')).toBeNull();
  });
});
