// Sources & destinations: where data comes in (sources, their write keys and SDK snippets) and
// where it goes out (webhook destinations, their delivery health, dead letters, replay). The tabs
// are links (`#/connections/<tab>`); everything goes through the documented API (docs/api.md,
// docs/destinations.md).
import { CONNECTIONS_TABS, href, type ConnectionsTab } from '../router';
import { DestinationsTab } from './connections/DestinationsTab';
import { SourcesTab } from './connections/SourcesTab';

const TABS: Record<ConnectionsTab, string> = { sources: 'Sources', destinations: 'Destinations' };

export function Connections({ tab }: { tab?: ConnectionsTab }) {
  const current: ConnectionsTab = tab ?? CONNECTIONS_TABS[0];
  return (
    <>
      <header className="page-header">
        <h1>Sources &amp; destinations</h1>
      </header>
      <nav className="tabs" aria-label="Sources and destinations">
        <ul>
          {CONNECTIONS_TABS.map((t) => (
            <li key={t}>
              <a href={href({ page: 'connections', tab: t })} aria-current={t === current ? 'page' : undefined}>
                {TABS[t]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section className="insight" aria-labelledby="connections-title">
        <h2 id="connections-title">{TABS[current]}</h2>
        {current === 'sources' ? <SourcesTab /> : <DestinationsTab />}
      </section>
    </>
  );
}
