// Component tests: the app's providers around one component or page, and a fake API.
import type { ReactElement, ReactNode } from 'react';
import { render } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import { I18nProvider } from '../i18n/I18n';
import { AuthProvider } from '../api/auth';
import type { Schemas } from '../api/client';
import type { Lang } from '../i18n/lang';

/** A request the fake API received, body parsed. */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> };
type Handler = (call: Call) => Reply | undefined;

/**
 * Replaces `fetch` with a fake API: `routes` maps `"METHOD /api/v1/path"` (exact path) to a
 * reply or a function of the call. Unknown requests answer a problem+json 404, so a missing
 * route shows up as a failed assertion, never as a hang. Returns every call made.
 */
export function fakeApi(routes: Record<string, Reply | Handler>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (input: Request | string, init?: RequestInit) => {
    const req = typeof input === 'string' ? new Request(input, init) : input;
    const url = new URL(req.url);
    const text = req.method === 'GET' || req.method === 'HEAD' ? '' : await req.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    const call: Call = { method: req.method, path: url.pathname, query: url.searchParams, headers: req.headers, body };
    calls.push(call);
    const route = routes[`${req.method} ${url.pathname}`];
    const reply = typeof route === 'function' ? route(call) : route;
    if (!reply) return problem(404, 'not-found', `No fake route for ${req.method} ${url.pathname}`);
    const status = reply.status ?? 200;
    const isProblem = status >= 400;
    return new Response(reply.body === undefined || status === 204 ? null : JSON.stringify(reply.body), {
      status,
      headers: { 'Content-Type': isProblem ? 'application/problem+json' : 'application/json', ...reply.headers },
    });
  });
  return calls;
}

/** A problem+json reply as the API sends it. */
export function problem(status: number, type: string, detail: string, errors: Record<string, string[]> = {}): Response {
  return new Response(JSON.stringify(problemBody(status, type, detail, errors)), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

export function problemBody(status: number, type: string, detail: string, errors: Record<string, string[]> = {}) {
  return {
    type: `urn:hangar:problem:${type}`,
    title: type,
    status,
    detail,
    instance: '/api/v1/test',
    request_id: '0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21',
    errors,
  };
}

export const ME: Schemas['Me'] = {
  id: '0193b9a4-0000-7000-8000-000000000001',
  email: 'jean.dupont@example.fr',
  email_verified: true,
  display_name: 'Jean Dupont',
  locale: 'fr',
  account_type: 'private',
  show_phone: false,
  notifications: { messages: true, saved_searches: true, newsletter: false },
  role: 'user',
  created_at: '2026-11-28T20:04:08Z',
};

/** The silent refresh of a page load: logged in as `user`, or no session (401). */
export function session(user: Schemas['Me'] | null): Reply {
  if (!user) return { status: 401, body: problemBody(401, 'unauthorized', 'No session.') };
  return {
    body: { access_token: 'test-access', token_type: 'Bearer', expires_in: 900, refresh_expires_in: 2592000, user },
  };
}

/**
 * Renders `element` at `path` (route `pattern`) inside the app's providers (query cache without
 * retries, i18n in `lang`, session, memory router). Returns testing-library's queries and the
 * router, whose `state.location` is the address bar.
 */
export function renderPage(
  element: ReactElement,
  { path = '/', pattern = '*', lang = 'fr' as Lang }: { path?: string; pattern?: string; lang?: Lang } = {},
) {
  localStorage.setItem('hangar.lang', lang);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter([{ path: pattern, element }], { initialEntries: [path] });
  const wrap = (children: ReactNode) => (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <AuthProvider>{children}</AuthProvider>
      </I18nProvider>
    </QueryClientProvider>
  );
  const result = render(wrap(<RouterProvider router={router} />));
  return { ...result, router, queryClient };
}

/** Intl's French output uses (narrow) no-break spaces; compare with plain ones. */
export const plain = (s: string | null | undefined) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ');
