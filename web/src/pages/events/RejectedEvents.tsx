// Live events › Rejected (`#/events/rejected`): the ingest requests the server refused since it
// started (GET /api/v1/events/rejected?limit=200, newest first), each with why (the server's
// message naming the field or limit) and the request as sent (pretty-printed when it is JSON),
// asked again every 5 s while "Refresh every 5 s" is on, or with Refresh.
import { useState } from 'react';
import { api } from '../../api';
import { Empty } from '../../components/Empty';
import { Loading } from '../../components/Loading';
import { PanelError } from '../../components/PanelError';
import { RejectionList } from '../../components/RejectionList';
import { Term } from '../../components/Term';
import { formatDateTime } from '../../format';
import { readRejected, rejectedSummary } from '../../rejections';
import { usePolled } from '../../usePolled';

export const REJECTED_LIMIT = 200; // the most the server keeps
const EVERY_MS = 5000;

export function RejectedEvents() {
  const [auto, setAuto] = useState(true);
  const polled = usePolled((signal) => api.rejectedEvents(REJECTED_LIMIT, signal).then(readRejected), auto ? EVERY_MS : null, []);
  const list = polled.data;
  return (
    <>
      <div className="toolbar controls">
        <button type="button" className="secondary" onClick={polled.refresh} disabled={polled.loading}>
          {polled.loading && list ? 'Refreshing…' : 'Refresh'}
        </button>
        <span>
          <input id="rj-auto" type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} />{' '}
          <label htmlFor="rj-auto">Refresh every 5 s</label>
        </span>
      </div>
      <p className="muted small">
        <Term id="rejected-events">Rejected events</Term> are requests to <code>/v1/…</code> the server refused — bad JSON, a
        missing field, an unknown write key, too large. It keeps the newest {REJECTED_LIMIT} in memory, with the first 2 KB of
        each; a restart starts empty.
      </p>
      {polled.error ? <PanelError error={polled.error} what="the rejected requests" onRetry={polled.refresh} /> : null}
      {list === null ? (
        polled.loading ? <Loading what="rejected events" /> : null
      ) : list.rows.length === 0 ? (
        <Empty title="No rejected events since the server started.">
          <p>Every request that reached the server so far was accepted. A refused one shows here with the reason and its body.</p>
        </Empty>
      ) : (
        <>
          <p role="status" aria-live="polite">
            {rejectedSummary(list)}{' '}
            <span className="muted small">Updated {formatDateTime(new Date(polled.at ?? Date.now()).toISOString())}.</span>
          </p>
          <RejectionList rows={list.rows} now={polled.at ?? Date.now()} withBody label="Rejected requests, newest first" />
        </>
      )}
    </>
  );
}
