// One dashboard tile: its title and period, its question asked again (POST /api/v1/query with
// the spec of dashboards/tiles.ts: a "last N days" tile covers today's N days) and drawn by the
// Analytics views (AnswerView, compact); for writers, move it earlier or later and remove it
// (with a confirmation). The parent saves the dashboard.
import { useId, useState } from 'react';
import { readSpec } from '../../analytics/fromSpec';
import { describeTilePeriod, tileSpec } from '../../dashboards/tiles';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import type { DashboardTile } from '../../types';
import { AnswerView } from '../analytics/AnswerView';
import { useSpecQuery } from '../analytics/useSpecQuery';

const KIND_NAMES: Record<string, string> = { trends: 'Trend', funnel: 'Funnel', retention: 'Retention', paths: 'Paths' };

export function TileCard({
  tile,
  index,
  count,
  now,
  editable,
  busy,
  onMove,
  onRemove,
}: {
  tile: DashboardTile;
  index: number;
  count: number; // tiles on the dashboard
  now: number; // the time "last N days" counts back from
  editable: boolean;
  busy: boolean; // a change of the dashboard is being saved
  onMove: (delta: number) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const spec = tileSpec(tile, now);
  const state = useSpecQuery({ ok: true, value: spec });
  const [confirming, setConfirming] = useState(false);
  const kind = readSpec(spec).kind;
  const period = describeTilePeriod(tile);
  const wide = kind === 'paths' || kind === 'retention';
  return (
    <li className={`card tile${wide ? ' tile-wide' : ''}`} aria-labelledby={id}>
      <div className="tile-head">
        <h2 id={id}>{tile.title}</h2>
        <p className="muted small">
          {KIND_NAMES[kind] ?? 'Query'} · {period}
        </p>
      </div>
      {state.status === 'loading' ? (
        <Loading what={`“${tile.title}”`} />
      ) : state.status === 'error' ? (
        <ErrorNotice error={state.error} onRetry={state.reload} title={`“${tile.title}” could not be computed.`} />
      ) : (
        <AnswerView spec={spec} answer={state.data} period={period} compact />
      )}
      {editable ? (
        <div className="toolbar tile-actions" role="group" aria-label={`Tile “${tile.title}”`}>
          {confirming ? (
            <>
              <span>Remove this tile?</span>
              <button type="button" className="danger small" onClick={onRemove} disabled={busy}>
                Yes, remove “{tile.title}”
              </button>
              <button type="button" className="secondary small" onClick={() => setConfirming(false)} autoFocus>
                Cancel
              </button>
            </>
          ) : (
            <>
              <button type="button" className="secondary small" onClick={() => onMove(-1)} disabled={busy || index === 0} aria-label={`Move “${tile.title}” earlier`}>
                ← Earlier
              </button>
              <button type="button" className="secondary small" onClick={() => onMove(1)} disabled={busy || index === count - 1} aria-label={`Move “${tile.title}” later`}>
                Later →
              </button>
              <button type="button" className="secondary small" onClick={() => setConfirming(true)} aria-label={`Remove “${tile.title}”…`}>
                Remove…
              </button>
            </>
          )}
        </div>
      ) : null}
    </li>
  );
}
