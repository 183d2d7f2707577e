// The Overview's "Recent validation errors" panel: the 10 newest ingest requests the server
// refused (GET /api/v1/events/rejected?limit=10) — when, source, endpoint, why — and a link to
// Live events › Rejected for their bodies. Asked again when `refresh` changes.
import { api } from '../../api';
import { Loading } from '../../components/Loading';
import { PanelError } from '../../components/PanelError';
import { RejectionList } from '../../components/RejectionList';
import { Term } from '../../components/Term';
import { readRejected, rejectedSummary } from '../../rejections';
import { href } from '../../router';
import { useAsync } from '../../useAsync';

export const RECENT_REJECTED = 10;

export function RecentRejections({ refresh }: { refresh: number }) {
  const state = useAsync(
    (signal) => api.rejectedEvents(RECENT_REJECTED, signal).then((a) => ({ list: readRejected(a), at: Date.now() })),
    [refresh],
  );
  return (
    <section className="card panel" aria-labelledby="recent-rejected-title">
      <h2 id="recent-rejected-title">
        Recent <Term id="rejected-events">validation errors</Term>
      </h2>
      {state.status === 'loading' ? (
        <Loading what="rejected events" />
      ) : state.status === 'error' ? (
        <PanelError error={state.error} what="the rejected requests" onRetry={state.reload} />
      ) : state.data.list.rows.length === 0 ? (
        <p className="muted">No rejected events since the server started.</p>
      ) : (
        <>
          <p className="small">{rejectedSummary(state.data.list)}</p>
          <RejectionList rows={state.data.list.rows} now={state.data.at} label="Recent rejected requests, newest first" />
        </>
      )}
      <p className="small">
        <a href={href({ page: 'events', view: 'rejected' })}>Every rejected request, with its body</a>
      </p>
    </section>
  );
}
