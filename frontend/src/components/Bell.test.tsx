// @vitest-environment jsdom
// The header's bell: the unread count of all my notifications, in its name and on its badge.
import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import { Bell } from './Bell';
import { fakeApi, ME, renderPage, session } from '../test/render';

describe('notification bell', () => {
  it('shows the unread count from one small read', async () => {
    const calls = fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/notifications': { body: { items: [], next_cursor: 'x', unread_count: 3 } },
    });
    renderPage(<Bell />);
    const link = await screen.findByRole('link', { name: 'Notifications 3 non lues' });
    expect(link.getAttribute('href')).toBe('/me/notifications');
    expect(screen.getByTestId('bell-count').textContent).toBe('3');
    expect(calls.filter((c) => c.path === '/api/v1/users/me/notifications').map((c) => c.query.get('limit'))).toEqual(['1']);
  });

  it('has no badge when everything is read', async () => {
    fakeApi({
      'POST /api/v1/auth/refresh': session(ME),
      'GET /api/v1/users/me/notifications': { body: { items: [], unread_count: 0 } },
    });
    renderPage(<Bell />, { lang: 'en' });
    const link = await screen.findByRole('link', { name: 'Notifications' });
    await waitFor(() => expect(screen.queryByTestId('bell-count')).toBeNull());
    expect(link.textContent).toBe('Notifications');
  });
});
