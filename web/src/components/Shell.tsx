// The frame of every signed-in page: a skip link, the left navigation (only pages that exist),
// the signed-in role and Sign out, and the page itself in <main>.
import type { ReactNode } from 'react';
import type { PageName } from '../router';
import { ROLE_SUMMARY } from '../roles';
import { useSession } from '../session';

const NAV: Array<{ page: PageName; href: string; label: string }> = [
  { page: 'overview', href: '#/overview', label: 'Overview' },
  { page: 'profiles', href: '#/profiles', label: 'Profiles' },
  { page: 'insights', href: '#/insights', label: 'Insights' },
  { page: 'analytics', href: '#/analytics', label: 'Analytics' },
  { page: 'dashboards', href: '#/dashboards', label: 'Dashboards' },
  { page: 'audiences', href: '#/audiences', label: 'Audiences' },
  { page: 'journeys', href: '#/journeys', label: 'Journeys' },
  { page: 'events', href: '#/events', label: 'Live events' },
  { page: 'connections', href: '#/connections', label: 'Sources & destinations' },
  { page: 'glossary', href: '#/glossary', label: 'Glossary' },
];

export function Shell({ current, children }: { current: PageName; children: ReactNode }) {
  const session = useSession();
  return (
    <div className="shell">
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Console">
        <p className="brand">Rapport</p>
        <ul>
          {NAV.map((item) => (
            <li key={item.page}>
              <a href={item.href} aria-current={item.page === current ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
        <div className="whoami">
          <p>
            Signed in as <strong title={ROLE_SUMMARY[session.role]}>{session.role}</strong>
          </p>
          <p className="muted small">{ROLE_SUMMARY[session.role]}</p>
          <button type="button" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
