// Who is signed in, shared with every page through React context: the role from
// GET /api/v1/whoami, the token's id, and sign-out. Pages ask `can(session.role, action)`
// (roles.ts) before offering an action.
import { createContext, useContext } from 'react';
import type { Role } from './roles';

export interface Session {
  role: Role;
  tokenId: string;
  signOut: (message?: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session; pages are only rendered inside one. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}
