import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, onSession, refreshSession, setSession, unwrap, type Schemas } from './client';

type Me = Schemas['Me'];

interface AuthValue {
  /** The logged-in user, null when logged out, undefined while the silent refresh runs. */
  user: Me | null | undefined;
  login: (email: string, password: string) => Promise<Me>;
  logout: (everywhere?: boolean) => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Me | null | undefined>(undefined);
  const queryClient = useQueryClient();

  useEffect(() => {
    const off = onSession((session) => setUser(session?.user ?? null));
    // A page load starts without an access token: the refresh cookie, if any, gets one.
    void refreshSession().then((s) => setUser(s?.user ?? null));
    return () => {
      off();
    };
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const session = await unwrap(
      api.POST('/api/v1/auth/login', { body: { email, password, token_delivery: 'cookie' } }),
    );
    setSession(session);
    return session.user;
  }, []);

  const logout = useCallback(
    async (everywhere = false) => {
      try {
        if (everywhere) await api.POST('/api/v1/auth/logout-all');
        // Revokes this login's refresh token (the cookie) and clears the cookie.
        await api.POST('/api/v1/auth/logout', { body: {} });
      } finally {
        setSession(null);
        queryClient.removeQueries({ queryKey: ['me'] });
      }
    },
    [queryClient],
  );

  const value = useMemo(() => ({ user, login, logout }), [user, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside <AuthProvider>');
  return value;
}
