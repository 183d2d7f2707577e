// Live events (`#/events`, `#/events/rejected`): two tabs — the events as they are stored
// (events/StoredEvents.tsx) and the requests the server refused, with why (events/RejectedEvents.tsx).
import { TabNav } from '../components/TabNav';
import { href } from '../router';
import { RejectedEvents } from './events/RejectedEvents';
import { StoredEvents } from './events/StoredEvents';

export function LiveEvents({ view }: { view?: 'rejected' }) {
  return (
    <>
      <header className="page-header">
        <h1>Live events</h1>
      </header>
      <TabNav
        label="Live events"
        current={view ?? 'stored'}
        tabs={[
          { key: 'stored', href: href({ page: 'events' }), label: 'Stored events' },
          { key: 'rejected', href: href({ page: 'events', view: 'rejected' }), label: 'Rejected' },
        ]}
      />
      {view === 'rejected' ? <RejectedEvents /> : <StoredEvents />}
    </>
  );
}
