// Overview: KPI cards with sparklines for the last days — events, active customers, identified
// share of them, orders, revenue — and cards for every profile (GET /api/v1/profiles/stats),
// predicted CLV (POST /api/v1/insights/clv `{}`) and audiences; under them, recent validation
// errors (GET /api/v1/events/rejected?limit=10) and delivery failures (GET /api/v1/destinations).
// The period's figures: POST /api/v1/query (one trends query, one values query for the currency),
// GET /api/v1/audiences, and GET /api/v1/events?limit=1 to tell "no events yet" from "none
// lately". Each card and panel loads on its own, so none waits for another. With no events, it
// shows how to send one.
import { useCallback, useMemo, useState } from 'react';
import { api } from '../api';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { KpiCard } from '../components/KpiCard';
import { Loading } from '../components/Loading';
import { SendFirstEvent } from '../components/SendFirstEvent';
import { Term } from '../components/Term';
import type { SparkPoint } from '../components/Sparkline';
import { asApiError } from '../errors';
import {
  DASH,
  formatCompact,
  formatCurrency,
  formatDateTime,
  formatDay,
  formatNumber,
  formatPercent,
  formatRelative,
  plural,
} from '../format';
import { clvCard, clvCardReason, readProfileStats } from '../overviewCards';
import { currencySpec, isEmpty, lastDays, overviewTrendsSpec, pickCurrency, readOverview, type Line } from '../overviewQuery';
import type { Audience, StoredEvent } from '../types';
import { useAsync } from '../useAsync';
import { ClvCard } from './overview/ClvCard';
import { DeliveryFailures } from './overview/DeliveryFailures';
import { ProfilesCard } from './overview/ProfilesCard';
import { RecentRejections } from './overview/RecentRejections';

const RANGES = [7, 14, 30, 90];

interface Loaded {
  figures: ReturnType<typeof readOverview>;
  currency: string | null;
  newest: StoredEvent | null;
  audiences: Audience[] | { error: string };
  at: number;
}

async function loadOverview(days: number, signal: AbortSignal): Promise<Loaded> {
  const range = lastDays(Date.now(), days);
  const [trends, currency, newest, audiences] = await Promise.all([
    api.query(overviewTrendsSpec(range), signal),
    api.query(currencySpec(range), signal).catch(() => null), // the currency is a nicety
    api.events({ limit: 1 }, signal).catch(() => null),
    api.audiences(signal).then(
      (a) => a.audiences,
      (e: unknown) => ({ error: asApiError(e).message }),
    ),
  ]);
  return {
    figures: readOverview(trends),
    currency: currency ? pickCurrency(currency) : null,
    newest: newest?.events[0] ?? null,
    audiences,
    at: Date.now(),
  };
}

function spark(line: Line): SparkPoint[] {
  return line.points.map((p) => ({ label: formatDay(p.t), value: p.value }));
}

/** "Events per day from Nov 10 to Nov 23; highest 300 on Nov 20; today 12." */
function describe(what: string, line: Line, fmt: (v: number | null) => string): string {
  const pts = line.points;
  if (pts.length === 0) return `${what}: no data`;
  let best = -1;
  pts.forEach((p, i) => {
    if (p.value !== null && (best < 0 || p.value > (pts[best].value ?? -Infinity))) best = i;
  });
  const first = formatDay(pts[0].t);
  const last = formatDay(pts[pts.length - 1].t);
  const peak = best >= 0 ? `; highest ${fmt(pts[best].value)} on ${formatDay(pts[best].t)}` : '';
  return `${what} per day from ${first} to ${last}${peak}; today ${fmt(pts[pts.length - 1].value)}.`;
}

function today(line: Line): number | null {
  return line.points.length ? line.points[line.points.length - 1].value : null;
}

/** The CLV card's figures, or its reason when the models cannot be fitted (a 400). */
async function loadClv(signal: AbortSignal) {
  try {
    return clvCard((await api.clv({}, signal)).result);
  } catch (err) {
    const e = asApiError(err);
    if (e.status === 400) return clvCardReason(e.message);
    throw e;
  }
}

export function Overview() {
  const [days, setDays] = useState(14);
  const [refreshed, setRefreshed] = useState(0); // Refresh asks the period-free cards and panels again too
  const state = useAsync((signal) => loadOverview(days, signal), [days]);
  const stats = useAsync((signal) => api.profileStats(signal).then(readProfileStats), [refreshed]);
  const clv = useAsync(loadClv, [refreshed]);
  const refresh = () => {
    state.reload();
    setRefreshed((n) => n + 1);
  };

  const count = useCallback((v: number | null) => formatNumber(v, 0), []);
  const percent = useCallback((v: number | null) => formatPercent(v), []);
  const currency = state.status === 'ok' ? state.data.currency : null;
  const money = useCallback((v: number | null) => formatCurrency(v, currency), [currency]);

  const body = useMemo(() => {
    if (state.status === 'loading') return <Loading what="the KPIs" />;
    if (state.status === 'error') return <ErrorNotice error={state.error} onRetry={state.reload} title="The KPIs could not be loaded." />;
    const { figures: f, newest, audiences } = state.data;
    if (isEmpty(f)) {
      return newest ? (
        <Empty title={`No events in the last ${days} days.`}>
          <p>
            The newest event arrived {formatRelative(newest.receivedAt ?? newest.timestamp)}. Choose a longer period
            above, check that your website or app still sends events (watch <a href="#/events">Live events</a>), or send
            one by hand:
          </p>
          <SendFirstEvent />
        </Empty>
      ) : (
        <Empty title="No events yet — send one:">
          <SendFirstEvent />
        </Empty>
      );
    }
    const aud = Array.isArray(audiences) ? audiences : null;
    const largest = aud && aud.length ? [...aud].sort((a, b) => (b.size ?? 0) - (a.size ?? 0))[0] : null;
    return (
      <div className="cards">
        <KpiCard
          glossaryId="events"
          label="Events"
          value={formatCompact(f.events.total)}
          fullValue={formatNumber(f.events.total, 0)}
          detail={<>today {formatNumber(today(f.events), 0)}</>}
          points={spark(f.events)}
          format={count}
          description={describe('Events', f.events, count)}
        />
        <KpiCard
          glossaryId="active-customers"
          label="Active customers"
          value={formatCompact(f.active.total)}
          fullValue={formatNumber(f.active.total, 0)}
          detail={<>today {formatNumber(today(f.active), 0)}</>}
          points={spark(f.active)}
          format={count}
          description={describe('Active customers', f.active, count)}
        />
        <KpiCard
          glossaryId="identified-share"
          label="Identified share (active)"
          value={formatPercent(f.identifiedShare.total)}
          detail={
            <>
              {formatNumber(f.identified.total, 0)} of {formatNumber(f.active.total, 0)} active customers
            </>
          }
          points={spark(f.identifiedShare)}
          format={percent}
          description={describe('Identified share of active customers', f.identifiedShare, percent)}
        />
        <ProfilesCard state={stats} />
        <KpiCard
          glossaryId="orders"
          label="Orders"
          value={formatCompact(f.orders.total)}
          fullValue={formatNumber(f.orders.total, 0)}
          detail={<>today {formatNumber(today(f.orders), 0)}</>}
          points={spark(f.orders)}
          format={count}
          description={describe('Orders', f.orders, count)}
        />
        <KpiCard
          glossaryId="revenue"
          label="Revenue"
          value={formatCurrency(f.revenue.total, currency, true)}
          fullValue={formatCurrency(f.revenue.total, currency)}
          detail={
            <>
              <Term id="average-order-value">average order</Term> {formatCurrency(f.averageOrder.total, currency)}
              {currency ? null : <span className="muted"> · no single currency</span>}
            </>
          }
          points={spark(f.revenue)}
          format={money}
          description={describe('Revenue', f.revenue, money)}
        />
        <ClvCard state={clv} currency={currency} />
        <KpiCard
          glossaryId="audiences"
          label="Audiences"
          value={aud ? formatNumber(aud.length, 0) : DASH}
          detail={
            aud ? (
              largest ? (
                <>
                  largest: {largest.name} ({plural(largest.size, 'customer')})
                </>
              ) : (
                <>none defined yet</>
              )
            ) : (
              <>could not be loaded: {(audiences as { error: string }).error}</>
            )
          }
        />
      </div>
    );
  }, [state, stats, clv, days, count, percent, money, currency]);

  return (
    <>
      <header className="page-header">
        <h1>Overview</h1>
        <div className="toolbar">
          <label htmlFor="range">Period</label>
          <select id="range" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {RANGES.map((d) => (
              <option key={d} value={d}>
                last {d} days
              </option>
            ))}
          </select>
          <button type="button" className="secondary" onClick={refresh} disabled={state.status === 'loading'}>
            Refresh
          </button>
        </div>
      </header>
      <p className="muted">
        Days in UTC, today included.
        {state.status === 'ok' ? <> Updated {formatDateTime(new Date(state.data.at).toISOString())}; events reach these figures about a second after they arrive.</> : null}
      </p>
      {body}
      <div className="grid-2 panels">
        <RecentRejections refresh={refreshed} />
        <DeliveryFailures refresh={refreshed} />
      </div>
    </>
  );
}
