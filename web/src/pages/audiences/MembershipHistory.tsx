// One audience's "Membership over time" card: GET /api/v1/audiences/{name}/history?days=90 drawn
// as the size per day with who entered and exited (audiences/history.ts, components/HistoryChart),
// the days with changes as a table, an empty state for a new audience, and "unavailable" on a
// server without the route. Asked again when `refresh` changes.
import { lazy, Suspense, useMemo } from 'react';
import { api } from '../../api';
import {
  changedDays,
  describeHistory,
  HISTORY_CHART_HEIGHT,
  historyTotals,
  isEmptyHistory,
  readHistory,
  savedAfterFirstDay,
  type MembershipHistory as History,
} from '../../audiences/history';
import { Empty } from '../../components/Empty';
import { Loading } from '../../components/Loading';
import { PanelError } from '../../components/PanelError';
import { Term } from '../../components/Term';
import { formatDay, formatNumber, plural } from '../../format';
import { useAsync } from '../../useAsync';

const HistoryChart = lazy(() => import('../../components/HistoryChart').then((m) => ({ default: m.HistoryChart })));

export const HISTORY_DAYS = 90;

/** `createdAt`: when the audience was saved; days before it are empty, and the card says so. */
export function MembershipHistory({ name, createdAt, refresh }: { name: string; createdAt: string; refresh: number }) {
  const state = useAsync((signal) => api.audienceHistory(name, HISTORY_DAYS, signal).then(readHistory), [name, refresh]);
  return (
    <section className="card aud" aria-labelledby="history-title" id="audience-history">
      <h2 id="history-title">
        <Term id="audience-history">Membership over time</Term> <span className="muted small">last {HISTORY_DAYS} days, UTC</span>
      </h2>
      {state.status === 'loading' ? (
        <Loading what="membership history" />
      ) : state.status === 'error' ? (
        <PanelError error={state.error} what="membership history" onRetry={state.reload} />
      ) : isEmptyHistory(state.data) ? (
        <Empty title="No membership history yet.">
          <p>This audience is new or nobody has been in it: the chart fills in day by day as customers enter and leave.</p>
        </Empty>
      ) : (
        <HistoryView name={name} history={state.data} createdAt={createdAt} />
      )}
    </section>
  );
}

function HistoryView({ name, history, createdAt }: { name: string; history: History; createdAt: string }) {
  const description = useMemo(() => describeHistory(name, history), [name, history]);
  const totals = useMemo(() => historyTotals(history), [history]);
  const changes = useMemo(() => changedDays(history), [history]);
  return (
    <>
      <p className="small">
        {formatNumber(totals.entered, 0)} entered and {formatNumber(totals.exited, 0)} exited over {formatNumber(history.days.length, 0)} days;{' '}
        {formatNumber(totals.last?.size, 0)} members at the end of {formatDay(`${totals.last?.day}T00:00:00Z`)}.
        {savedAfterFirstDay(history, createdAt) ? <span className="muted"> Saved on {formatDay(createdAt)}: it has no history before.</span> : null}
      </p>
      <Suspense fallback={<div className="bar-chart" aria-hidden="true" style={{ height: HISTORY_CHART_HEIGHT }} />}>
        <HistoryChart history={history} description={description} />
      </Suspense>
      {changes.length ? (
        <details className="model-details">
          <summary>The {plural(changes.length, 'day')} with changes as a table</summary>
          <div className="table-scroll">
            <table className="narrow">
              <thead>
                <tr>
                  <th scope="col">Day (UTC)</th>
                  <th scope="col" className="num">Entered</th>
                  <th scope="col" className="num">Exited</th>
                  <th scope="col" className="num">Members at the end of the day</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((d) => (
                  <tr key={d.day}>
                    <th scope="row">{d.day}</th>
                    <td className="num">{formatNumber(d.entered, 0)}</td>
                    <td className="num">{formatNumber(d.exited, 0)}</td>
                    <td className="num">{formatNumber(d.size, 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ) : null}
    </>
  );
}
