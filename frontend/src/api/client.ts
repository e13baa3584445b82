// The API client: openapi-fetch over the generated `paths`, so every call is typed by the
// contract. The access token lives in memory only; the refresh token is an HttpOnly cookie
// (scoped by the API to /api/v1/auth) that the browser sends with `credentials: 'include'`.
// A 401 on any call triggers one silent refresh and one retry.
import createClient from 'openapi-fetch';
import type { paths, components } from './schema';
import { ApiError, isProblem } from './problem';

export type Schemas = components['schemas'];
export type TokenResponse = Schemas['TokenResponse'];

/** Where the API is: `VITE_API_BASE_URL` at build time, else the page's own origin. */
export const API_BASE_URL: string = (import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/+$/, '');

/** A path the API returns (photos: `/media/…`) as a URL the browser can load. */
export function apiUrl(path: string): string {
  return /^https?:\/\//.test(path) ? path : `${API_BASE_URL}${path}`;
}

let accessToken: string | null = null;
type SessionListener = (session: TokenResponse | null) => void;
const listeners = new Set<SessionListener>();

export function onSession(listener: SessionListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Records a new session (after login or refresh), or its end (null). */
export function setSession(session: TokenResponse | null): void {
  accessToken = session?.access_token ?? null;
  for (const l of listeners) l(session);
}

/** `Bearer …` for requests made outside openapi-fetch (photo uploads with progress). */
export function authorization(): string | null {
  return accessToken ? `Bearer ${accessToken}` : null;
}

export function hasAccessToken(): boolean {
  return accessToken !== null;
}

const baseFetch = (input: Request) => globalThis.fetch(input);

let refreshing: Promise<TokenResponse | null> | null = null;

/** Gets a new access token with the refresh cookie; null when there is no session. Shared by concurrent callers. */
export function refreshSession(): Promise<TokenResponse | null> {
  refreshing ??= (async () => {
    try {
      const res = await baseFetch(
        new Request(`${API_BASE_URL}/api/v1/auth/refresh`, {
          method: 'POST',
          credentials: 'include',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: '{}',
        }),
      );
      if (!res.ok) {
        // Read the problem body anyway: an unread body keeps the request open in the browser.
        await res.text().catch(() => '');
        setSession(null);
        return null;
      }
      const session = (await res.json()) as TokenResponse;
      setSession(session);
      return session;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

const NO_RETRY = /\/api\/v1\/auth\/(login|refresh|logout|register)/;

async function authFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  if (accessToken && !request.headers.has('Authorization')) {
    request.headers.set('Authorization', `Bearer ${accessToken}`);
  }
  const res = await baseFetch(request);
  if (res.status !== 401 || NO_RETRY.test(request.url) || !request.headers.has('Authorization')) return res;
  const session = await refreshSession();
  if (!session) return res;
  void res.body?.cancel().catch(() => {});
  retry.headers.set('Authorization', `Bearer ${session.access_token}`);
  return baseFetch(retry);
}

export const api = createClient<paths>({
  baseUrl: API_BASE_URL,
  credentials: 'include',
  fetch: authFetch,
});

/** The data of an openapi-fetch result, or an ApiError carrying the problem document. */
export async function unwrap<T>(
  promise: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await promise;
  } catch (e) {
    throw new ApiError(0, null, e instanceof Error ? e.message : String(e));
  }
  const { data, error, response } = result;
  if (!response.ok) throw new ApiError(response.status, isProblem(error) ? error : null);
  return data as T;
}
