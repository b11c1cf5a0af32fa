import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { api, isApiError, setCsrfToken } from '../../api/client.js';
import type { UserDto } from '../../api/types.js';

interface SessionValue {
  user: UserDto;
  refresh(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export const sessionKey = ['session'] as const;

/** Loads the signed-in user; a 401 means "show the sign-in form", anything else is an error to show. */
export const useSessionQuery = () =>
  useQuery({
    queryKey: sessionKey,
    queryFn: async () => {
      try {
        const session = await api.get<{ user: UserDto; csrfToken: string | null }>('/auth/session');
        setCsrfToken(session.csrfToken);
        return session.user;
      } catch (error) {
        if (isApiError(error) && error.problem.status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });

export const SessionProvider = ({ user, children }: { user: UserDto; children: ReactNode }) => {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: sessionKey });
  return <SessionContext.Provider value={{ user, refresh }}>{children}</SessionContext.Provider>;
};

export const useSession = (): SessionValue => {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in SessionProvider');
  return value;
};
