// Refused ingest requests, newest first (rejections.ts reads them): when, which source, which
// endpoint, how it was refused and why; with `withBody`, the request as sent in a disclosure,
// pretty-printed when it is JSON (payload.ts). Shared by the Overview and Live events › Rejected.
import { formatDateTime, formatRelative } from '../format';
import { payloadView } from '../payload';
import { sourceLabel, statusLabel, type RejectionRow } from '../rejections';

export function RejectionList({ rows, now, withBody = false, label }: { rows: RejectionRow[]; now: number; withBody?: boolean; label: string }) {
  return (
    <ol className="rejections" aria-label={label}>
      {rows.map((r) => (
        <li key={r.seq} className="rejection" id={`rejection-${r.seq}`}>
          <p className="rejection-head small">
            <time dateTime={r.at} title={formatDateTime(r.at)}>
              {formatRelative(r.at, now)}
            </time>
            <span className={r.source ? undefined : 'muted'}>{sourceLabel(r.source)}</span>
            <code>{r.endpoint || '?'}</code>
            <span className="badge tone-error">{statusLabel(r)}</span>
          </p>
          <p className="rejection-message">{r.message || 'No reason given.'}</p>
          {withBody ? <Body row={r} /> : null}
        </li>
      ))}
    </ol>
  );
}

function Body({ row }: { row: RejectionRow }) {
  const view = payloadView(row.body, row.truncated);
  return (
    <details className="rejection-body">
      <summary>
        Request body{view.json ? ' (JSON)' : ''}
        {row.truncated ? ', first 2 KB' : ''}
      </summary>
      {view.text ? (
        <pre tabIndex={0} aria-label={`body of rejected request ${row.seq}`}>
          {view.text}
        </pre>
      ) : null}
      {view.note ? <p className="muted small">{view.note}</p> : null}
    </details>
  );
}
