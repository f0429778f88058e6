import { useEffect, useState, type ReactNode } from 'react';
import { dashboardPageOf, type DashboardPage } from '@tuneforge/contracts';
import { ConnectionBadge, PageErrorBoundary } from './components/common';
import { EventsProvider } from './events';
import { AuditPage } from './pages/AuditPage';
import { ComparePage } from './pages/ComparePage';
import { NewSweepPage } from './pages/NewSweepPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SweepPage } from './pages/SweepPage';
import { SweepsPage } from './pages/SweepsPage';
import { TrialPage } from './pages/TrialPage';
import { WorkersPage } from './pages/WorkersPage';
import { Link, Router, useLocation } from 'wouter';
import { SessionGate, useSession } from './session';
import { ThemeProvider, ThemeToggle } from './theme';

/** What each page of DASHBOARD_PAGES renders (the coordinator serves index.html at exactly these paths). */
const PAGES: Record<DashboardPage, (params: Record<string, string>) => ReactNode> = {
  '/': () => <SweepsPage />,
  '/sweeps': () => <SweepsPage />,
  '/workers': () => <WorkersPage />,
  '/audit': () => <AuditPage />,
  '/sweeps/new': () => <NewSweepPage />,
  '/compare': () => <ComparePage />,
  '/sweeps/:id': ({ id }) => <SweepPage key={id} id={id} />,
  '/trials/:id': ({ id }) => <TrialPage key={id} id={id} />,
};

/** DASHBOARD_PAGES (shared with the coordinator, which serves index.html at exactly these paths) picks the page. */
function Routes() {
  const [path] = useLocation();
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [path]);
  const match = dashboardPageOf(path);
  return <PageErrorBoundary key={path}>{match ? PAGES[match.page](match.params) : <NotFoundPage />}</PageErrorBoundary>;
}

function Nav() {
  const [path] = useLocation();
  const { me } = useSession();
  const active = (prefix: string) => (prefix === '/' ? path === '/' || path.startsWith('/sweeps') || path.startsWith('/trials') : path.startsWith(prefix));
  return (
    <nav className="nav">
      <Link href="/" className="brand">
        Tuneforge
      </Link>
      <Link href="/" className={active('/') ? 'active' : ''}>
        Sweeps
      </Link>
      <Link href="/compare" className={active('/compare') ? 'active' : ''} data-testid="nav-compare">
        Compare
      </Link>
      <Link href="/workers" className={active('/workers') ? 'active' : ''}>
        Workers
      </Link>
      {me.user.isAdmin && (
        <Link href="/audit" className={active('/audit') ? 'active' : ''} data-testid="nav-audit">
          Audit
        </Link>
      )}
      <span className="spacer" />
      <ConnectionBadge />
      <ThemeToggle />
      <a href="/api/docs" className="muted">
        API docs
      </a>
      <SignedInAs />
    </nav>
  );
}

/** Who is signed in, with their role in each project, and the sign-out button. */
function SignedInAs() {
  const { me, signOut } = useSession();
  const [error, setError] = useState<string>();
  const roles = me.projects.map((p) => `${p.name}: ${p.role}`).join(', ');
  const out = () => signOut().catch((failed: unknown) => setError(`Could not sign out: ${failed instanceof Error ? failed.message : String(failed)}`));
  return (
    <span className="signed-in">
      <span data-testid="signed-in-as" title={roles}>
        {me.user.name}
        {me.user.isAdmin && ' (administrator)'} <span className="muted">· {roles || 'no projects'}</span>
      </span>
      {me.via !== 'auth-off' && (
        <button type="button" onClick={out} data-testid="sign-out">
          Sign out
        </button>
      )}
      {error && (
        <span className="nav-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

function SignedInApp() {
  const { checkSession } = useSession();
  return (
    <EventsProvider onStreamError={checkSession}>
      <Nav />
      <main className="main">
        <Routes />
      </main>
    </EventsProvider>
  );
}

export function App() {
  return (
    <ThemeProvider>
      <Router>
        <SessionGate>
          <SignedInApp />
        </SessionGate>
      </Router>
    </ThemeProvider>
  );
}
