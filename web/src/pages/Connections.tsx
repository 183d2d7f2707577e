// Sources & destinations: where data comes in (sources, their write keys and SDK snippets) and
// where it goes out (webhook destinations, their delivery health, dead letters, replay). The tabs
// are links (`#/connections/<tab>`); everything goes through the documented API (docs/api.md,
// docs/destinations.md).
import { TabNav } from '../components/TabNav';
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
      <TabNav
        label="Sources and destinations"
        current={current}
        tabs={CONNECTIONS_TABS.map((t) => ({ key: t, href: href({ page: 'connections', tab: t }), label: TABS[t] }))}
      />
      <section className="insight" aria-labelledby="connections-title">
        <h2 id="connections-title">{TABS[current]}</h2>
        {current === 'sources' ? <SourcesTab /> : <DestinationsTab />}
      </section>
    </>
  );
}
