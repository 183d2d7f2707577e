// The Overview's "Delivery failures" panel: the destinations that are down or hold dead letters
// (GET /api/v1/destinations, picked by overviewCards.deliveryFailures), each with its last error,
// linking to the destinations page where they are replayed. Asked again when `refresh` changes.
import { api } from '../../api';
import { Loading } from '../../components/Loading';
import { PanelError } from '../../components/PanelError';
import { Term } from '../../components/Term';
import { formatDateTime, formatNumber, formatRelative, plural } from '../../format';
import { deliveryFailures } from '../../overviewCards';
import { href } from '../../router';
import { useAsync } from '../../useAsync';

const DESTINATIONS = href({ page: 'connections', tab: 'destinations' });

export function DeliveryFailures({ refresh }: { refresh: number }) {
  const state = useAsync(
    (signal) => api.destinations(signal).then((a) => ({ count: a.destinations.length, failing: deliveryFailures(a.destinations), at: Date.now() })),
    [refresh],
  );
  return (
    <section className="card panel" aria-labelledby="delivery-failures-title">
      <h2 id="delivery-failures-title">
        <Term id="delivery-failures">Delivery failures</Term>
      </h2>
      {state.status === 'loading' ? (
        <Loading what="destinations" />
      ) : state.status === 'error' ? (
        <PanelError error={state.error} what="the destinations" onRetry={state.reload} />
      ) : state.data.failing.length === 0 ? (
        <p className="muted">
          {state.data.count === 0
            ? 'No destinations yet.'
            : `${state.data.count === 1 ? 'The destination is' : `All ${formatNumber(state.data.count, 0)} destinations are`} up, with no dead letters.`}
        </p>
      ) : (
        <ul className="failures" aria-label="Destinations failing to deliver">
          {state.data.failing.map((f) => (
            <li key={f.name}>
              <p className="failure-head">
                <a href={DESTINATIONS}>{f.name}</a> <span className={`badge tone-${f.tone}`}>{f.down ? 'down' : plural(f.deadLetters, 'dead letter')}</span>
                {f.down && f.deadLetters > 0 ? <span className="small"> and {plural(f.deadLetters, 'dead letter')}</span> : null}
              </p>
              {f.lastError ? (
                <p className="small muted">
                  Last error: {f.lastError}{' '}
                  <span title={formatDateTime(f.lastErrorAt)}>({formatRelative(f.lastErrorAt, state.data.at)})</span>
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <p className="small">
        <a href={DESTINATIONS}>Destinations: health, dead letters and replay</a>
      </p>
    </section>
  );
}
