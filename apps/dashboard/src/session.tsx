import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { roleAtLeast, type MeDto, type ProjectRole, type SignIn } from '@tuneforge/contracts';
import { api, ApiError, csrfToken, onSessionAnswer } from './api';
import { SignInPage } from './pages/SignInPage';

export const SESSION_EXPIRED = 'Your session has expired; sign in again.';
const SIGNED_OUT = 'You signed out.';
const RETRY_MS = 3_000;

type SessionState =
  | { state: 'checking' }
  | { state: 'unreachable'; message: string }
  | { state: 'signed-out'; notice?: string }
  | { state: 'signed-in'; me: MeDto };

interface SessionContextValue {
  me: MeDto;
  signOut: () => Promise<void>;
  /** Asks `GET /me` again: a 401 ends the session (the event stream cannot read its statuses), an answer refreshes the roles. */
  checkSession: () => void;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

/**
 * Shows its children to a signed-in caller, and the sign-in form otherwise: on load when `GET /me` answers 401,
 * and whenever a call of the session answers 401 later (an expired session). The URL stays, so signing in
 * shows the page the user wanted. A 403 FORBIDDEN reloads `/me`, since the caller's roles have changed.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ state: 'checking' });
  const checking = useRef(false);

  const refresh = useCallback(() => {
    if (checking.current) return;
    checking.current = true;
    api.me().then(
      (me) => setSession({ state: 'signed-in', me }),
      (error: unknown) => setSession((s) => afterMeFailed(s, error)),
    ).finally(() => (checking.current = false));
  }, []);

  useEffect(refresh, [refresh]);
  useEffect(
    () =>
      onSessionAnswer((answer) => {
        if (answer === 'unauthenticated') setSession((s) => (s.state === 'signed-in' ? { state: 'signed-out', notice: SESSION_EXPIRED } : s));
        else refresh();
      }),
    [refresh],
  );
  useEffect(() => {
    if (session.state !== 'unreachable') return;
    const timer = window.setTimeout(refresh, RETRY_MS);
    return () => window.clearTimeout(timer);
  }, [session, refresh]);

  const signIn = useCallback(async (credentials: SignIn) => setSession({ state: 'signed-in', me: await api.signIn(credentials) }), []);
  const signOut = useCallback(async () => {
    try {
      await api.signOut();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    setSession({ state: 'signed-out', notice: SIGNED_OUT });
  }, []);
  const me = session.state === 'signed-in' ? session.me : undefined;
  const value = useMemo(() => me && { me, signOut, checkSession: refresh }, [me, signOut, refresh]);

  if (value) return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
  return (
    <>
      <nav className="nav">
        <span className="brand">Tuneforge</span>
      </nav>
      <main className="main">
        {session.state === 'checking' && <p className="muted">Loading…</p>}
        {session.state === 'unreachable' && (
          <p className="muted" data-testid="session-unreachable">
            Could not ask the coordinator who you are ({session.message}); trying again…
          </p>
        )}
        {session.state === 'signed-out' && <SignInPage notice={session.notice} onSignIn={signIn} />}
      </main>
    </>
  );
}

/** `GET /me` failed: a 401 signs out (expired if a session was on), anything else keeps a session on or says so and retries. */
function afterMeFailed(session: SessionState, error: unknown): SessionState {
  if (error instanceof ApiError && error.status === 401) {
    if (session.state === 'signed-out') return session;
    // A CSRF cookie left behind means a session the coordinator no longer knows: it expired.
    return session.state === 'signed-in' || csrfToken() ? { state: 'signed-out', notice: SESSION_EXPIRED } : { state: 'signed-out' };
  }
  if (session.state === 'signed-in') return session;
  return { state: 'unreachable', message: error instanceof Error ? error.message : String(error) };
}

export function useSession(): SessionContextValue {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionGate');
  return session;
}

/** The caller's role in a project: a deployment administrator is admin of every project. */
export function useRoleIn(projectId: string): ProjectRole | undefined {
  const { me } = useSession();
  return me.user.isAdmin ? 'admin' : me.projects.find((p) => p.id === projectId)?.role;
}

/** Whether a role may change what its project holds (pause, resume, cancel, extend, delete): editor or above. */
export function mayEdit(role: ProjectRole | undefined): boolean {
  return role !== undefined && roleAtLeast(role, 'editor');
}
