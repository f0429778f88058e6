import { ConnectionBadge } from './components/common';
import { EventsProvider } from './events';
import { NotFoundPage } from './pages/NotFoundPage';
import { SweepPage } from './pages/SweepPage';
import { SweepsPage } from './pages/SweepsPage';
import { TrialPage } from './pages/TrialPage';
import { WorkersPage } from './pages/WorkersPage';
import { Link, matchRoute, Router, usePath } from './router';

function Routes() {
  const path = usePath();
  if (path === '/' || path === '/sweeps') return <SweepsPage />;
  if (path === '/workers') return <WorkersPage />;
  const sweep = matchRoute(path, '/sweeps/:id');
  if (sweep) return <SweepPage key={sweep.id} id={sweep.id} />;
  const trial = matchRoute(path, '/trials/:id');
  if (trial) return <TrialPage key={trial.id} id={trial.id} />;
  return <NotFoundPage />;
}

function Nav() {
  const path = usePath();
  const active = (prefix: string) => (prefix === '/' ? path === '/' || path.startsWith('/sweeps') || path.startsWith('/trials') : path.startsWith(prefix));
  return (
    <nav className="nav">
      <Link to="/" className="brand">
        Tuneforge
      </Link>
      <Link to="/" className={active('/') ? 'active' : ''}>
        Sweeps
      </Link>
      <Link to="/workers" className={active('/workers') ? 'active' : ''}>
        Workers
      </Link>
      <span className="spacer" />
      <ConnectionBadge />
      <a href="/api/docs" className="muted">
        API docs
      </a>
    </nav>
  );
}

export function App() {
  return (
    <Router>
      <EventsProvider>
        <Nav />
        <main className="main">
          <Routes />
        </main>
      </EventsProvider>
    </Router>
  );
}
