// @vitest-environment jsdom
// The listing form's attribute step: fields from the spec with their help, typed values, and
// the API's problem+json shown next to the field it concerns.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Sell from './Sell';
import { DRAFT_KEY, EMPTY_DRAFT, type Draft } from '../sell/draft';
import { fakeApi, ME, problemBody, renderPage, session } from '../test/render';

const TREE = {
  items: [
    {
      id: '0193b9a4-0000-7000-8000-0000000000c1', slug: 'aircraft', name_fr: 'Avions', name_en: 'Aircraft',
      attribute_group: 'aircraft', position: 0, active: true, listing_count: 3,
      children: [
        { id: '0193b9a4-0000-7000-8000-0000000000c2', slug: 'single-engine-piston', name_fr: 'Monomoteurs à pistons',
          name_en: 'Single-engine piston', attribute_group: 'aircraft', position: 0, active: true, listing_count: 3, children: [] },
      ],
    },
    { id: '0193b9a4-0000-7000-8000-0000000000c3', slug: 'shares', name_fr: 'Copropriétés', name_en: 'Shares',
      attribute_group: 'share', position: 1, active: true, listing_count: 0, children: [] },
  ],
};

function startAt(patch: Partial<Draft>) {
  localStorage.setItem(
    DRAFT_KEY,
    JSON.stringify({ ...EMPTY_DRAFT, step: 2, title: 'Robin DR400-140B', description: 'Beau DR400.', amount: '65000', ...patch }),
  );
}

/** The texts an input is described by (its help, its error), in order. */
function describedBy(input: HTMLElement): string[] {
  return (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? `#${id} missing`);
}

describe('listing form, attribute step', () => {
  it("shows the API's errors next to their fields, with the field's help, and the others at the top", async () => {
    startAt({ category: 'single-engine-piston', group: 'aircraft', attributes: { make: 'Robin', model: 'DR400' } });
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/categories': { body: TREE },
      'POST /api/v1/listings': {
        status: 422,
        body: problemBody(422, 'validation', 'Some values are invalid.', {
          'attributes.ttaf_hours': ['must be at most 100000'],
          'attributes.registration': ['is not a registration of a known country'],
          'attributes.secret_field': ['unknown field'],
        }),
      },
    });
    renderPage(<Sell />, { path: '/sell' });
    const user = userEvent.setup();
    const ttaf = await screen.findByLabelText('Heures cellule');
    // Help under the field before anything goes wrong.
    expect(describedBy(ttaf)).toEqual(['TTAF : heures de vol totales de la cellule depuis sa construction.']);
    expect(describedBy(screen.getByLabelText('IFR'))).toEqual(['Équipé et approuvé pour le vol aux instruments (IFR).']);
    expect(describedBy(screen.getByLabelText('Carburant'))[0]).toMatch(/^Carburant du moteur/);

    await user.type(ttaf, '654000,5');
    await user.type(screen.getByLabelText('Places'), 'four');
    await user.type(screen.getByLabelText('Immatriculation'), 'XX-123');
    await user.click(screen.getByLabelText('IFR'));
    await user.click(screen.getByRole('button', { name: 'Enregistrer et continuer' }));
    // Checked here first: not a whole number, and the API is not asked.
    const seats = screen.getByLabelText('Places');
    expect(seats.getAttribute('aria-invalid')).toBe('true');
    expect(describedBy(seats)).toEqual(['Saisissez un nombre entier.']);
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/listings')).toEqual([]);

    await user.clear(seats);
    await user.type(seats, '4');
    await user.click(screen.getByRole('button', { name: 'Enregistrer et continuer' }));
    await waitFor(() => expect(ttaf.getAttribute('aria-invalid')).toBe('true'));
    expect(describedBy(ttaf)).toEqual([
      'TTAF : heures de vol totales de la cellule depuis sa construction.',
      'must be at most 100000',
    ]);
    const registration = screen.getByLabelText('Immatriculation');
    expect(registration.getAttribute('aria-invalid')).toBe('true');
    expect(describedBy(registration).at(-1)).toBe('is not a registration of a known country');
    expect(seats.getAttribute('aria-invalid')).toBeNull();
    // A field the form does not show: at the top, never lost.
    expect(within(screen.getByRole('alert')).getByText('attributes.secret_field: unknown field')).toBeTruthy();
    // What was sent: typed by the spec.
    const post = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/listings');
    expect(post?.body).toMatchObject({
      category: 'single-engine-piston',
      price: { amount: 6_500_000, currency: 'EUR', kind: 'negotiable' },
      attributes: { make: 'Robin', model: 'DR400', ttaf_hours: 654000.5, seats: 4, registration: 'XX-123', ifr: true },
    });
    // Still on the details step.
    expect(screen.queryByRole('heading', { name: 'Photos' })).toBeNull();
  });

  it("takes a share's costs in major units of the listing's currency", async () => {
    startAt({ category: 'shares', group: 'share', currency: 'CHF', attributes: { fraction: '1/4' } });
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/categories': { body: TREE },
      'POST /api/v1/listings': { status: 201, body: { id: '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21', version: 1 } },
      'GET /api/v1/listings/0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21': { body: { photos: [] } },
    });
    renderPage(<Sell />, { path: '/sell' });
    const user = userEvent.setup();
    const monthly = await screen.findByLabelText('Frais fixes mensuels (CHF)');
    expect(monthly.getAttribute('inputmode')).toBe('decimal');
    expect(describedBy(monthly)[0]).toMatch(/dans la devise de l'annonce/);
    await user.type(monthly, '250');
    await user.type(screen.getByLabelText('Tarif horaire (carburant compris) (CHF)'), '145,50');
    await user.click(screen.getByRole('button', { name: 'Enregistrer et continuer' }));
    await screen.findByRole('heading', { name: 'Photos' });
    const post = calls.find((c) => c.method === 'POST' && c.path === '/api/v1/listings');
    expect(post?.body).toMatchObject({
      price: { amount: 6_500_000, currency: 'CHF' },
      attributes: { fraction: '1/4', monthly_fixed_cost: 25_000, hourly_wet_rate: 14_550 },
    });
    // The draft remembers the listing made, for a reload.
    expect(JSON.parse(localStorage.getItem(DRAFT_KEY) ?? '{}')).toMatchObject({ step: 3, listingId: '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21' });
  });
});
