// One journey (`#/journeys/<name>`): GET /api/v1/journeys/{name} every 3 s; its steps drawn top
// to bottom with their counts and ways out (two side by side for waits for an event and
// branches), its definition JSON, and Delete with a confirm (admin, marketer).
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { Empty } from '../../components/Empty';
import { ConfirmDelete } from '../../components/ConfirmDelete';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { asApiError, type ApiError } from '../../errors';
import { formatDateTime, formatNumber } from '../../format';
import { flowRows, triggerText, type FlowRow } from '../../journeys/flow';
import { can } from '../../roles';
import { href } from '../../router';
import { useSession } from '../../session';
import type { Journey } from '../../types';
import { useAsync } from '../../useAsync';
import { JourneyStatus } from '../Journeys';

const REFRESH_MS = 3000;

const REENTRY: Record<string, string> = {
  never: 'never',
  after_exit: 'after the previous time has ended',
  after_days: 'days after the previous entry',
};

export function JourneyView({ name }: { name: string }) {
  const { role } = useSession();
  const state = useAsync((signal) => api.journey(name, signal), [name]);
  const [fresh, setFresh] = useState<{ journey: Journey; at: Date } | null>(null);
  const [refreshError, setRefreshError] = useState<ApiError | null>(null);
  const loaded = state.status === 'ok';
  useEffect(() => {
    if (!loaded) return;
    const controller = new AbortController();
    const t = window.setInterval(() => {
      api.journey(name, controller.signal).then(
        (journey) => {
          setFresh({ journey, at: new Date() });
          setRefreshError(null);
        },
        (err: unknown) => {
          if (!controller.signal.aborted) setRefreshError(asApiError(err));
        },
      );
    }, REFRESH_MS);
    return () => {
      window.clearInterval(t);
      controller.abort();
    };
  }, [loaded, name]);

  const back = (
    <p>
      <a href={href({ page: 'journeys' })}>← All journeys</a>
    </p>
  );
  if (state.status === 'loading') return <Loading what={`journey ${name}`} />;
  if (state.status === 'error') {
    return (
      <>
        {back}
        <h1>{name}</h1>
        {state.error.status === 404 ? (
          <Empty title={`There is no journey named “${name}”.`}>
            <p>
              It may have been deleted. <a href={href({ page: 'journeys' })}>See every journey</a>.
            </p>
          </Empty>
        ) : (
          <ErrorNotice error={state.error} onRetry={state.reload} title="The journey could not be loaded." />
        )}
      </>
    );
  }
  const j = fresh?.journey ?? state.data;
  const d = j.definition;
  const rows = flowRows(d.steps, j.steps);
  return (
    <>
      {back}
      <h1>{j.name}</h1>
      {d.description ? <p className="lead">{d.description}</p> : null}
      <section className="card" aria-labelledby="journey-summary-title">
        <h2 id="journey-summary-title" className="visually-hidden">
          Summary
        </h2>
        <dl className="health">
          <div>
            <dt>
              <Term id="journey-counts">Entered</Term>
            </dt>
            <dd id="journey-entered">{formatNumber(j.entered, 0)}</dd>
          </div>
          <div>
            <dt>
              <Term id="journey-counts">In it now</Term>
            </dt>
            <dd id="journey-active">{formatNumber(j.active, 0)}</dd>
          </div>
          <div>
            <dt>
              <Term id="journey-counts">Finished</Term>
            </dt>
            <dd id="journey-exited">
              {formatNumber(j.exited, 0)}
              {j.dropped ? <span className="muted small"> ({formatNumber(j.dropped, 0)} dropped by merges)</span> : null}
            </dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd id="journey-status">
              <JourneyStatus status={j.status} />
            </dd>
          </div>
        </dl>
        <ul className="inline-list small">
          <li>
            Starts when a customer: <strong>{triggerText(d.trigger)}</strong>
          </li>
          <li>
            <Term id="reentry">Re-entry</Term>: {REENTRY[d.reentry ?? 'never'] ?? d.reentry}
            {d.reentry === 'after_days' ? ` (${d.reentry_days} days)` : ''}
          </li>
          {d.frequency_cap ? (
            <li>
              <Term id="frequency-cap">Frequency cap</Term>: {d.frequency_cap.max_sends} sends per {d.frequency_cap.per_days} days
            </li>
          ) : null}
          {d.quiet_hours ? (
            <li>
              Quiet hours: {d.quiet_hours.start}–{d.quiet_hours.end} ({d.timezone ?? 'UTC'} unless the customer has a time zone)
            </li>
          ) : null}
          <li>Created {formatDateTime(j.createdAt)}</li>
        </ul>
        {j.problems.length > 0 ? (
          <div className="notice notice-error" role="alert">
            <p className="notice-title">Part of this journey cannot work:</p>
            <ul>
              {j.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </section>
      <section className="card" aria-labelledby="journey-flow-title">
        <h2 id="journey-flow-title">Steps</h2>
        <p className="small muted" role="status" aria-live="off">
          Counts as of the last processed batch, refreshed every {REFRESH_MS / 1000} seconds
          {fresh ? ` (last at ${fresh.at.toLocaleTimeString()})` : ''}.
        </p>
        {refreshError ? <ErrorNotice error={refreshError} title="The counts could not be refreshed; showing the last ones." /> : null}
        <Flow rows={rows} />
      </section>
      <details className="model-details">
        <summary>Definition (JSON)</summary>
        <pre className="audience-text" id="journey-definition">
          {JSON.stringify(d, null, 2)}
        </pre>
      </details>
      <ConfirmDelete
        what="journey"
        name={j.name}
        consequence="? Customers in it stop where they are and its counts go. This cannot be undone."
        allowed={can(role, 'journeys.write')}
        remove={() => api.deleteJourney(j.name)}
        afterHref={href({ page: 'journeys' })}
      />
    </>
  );
}

function Flow({ rows }: { rows: FlowRow[] }) {
  return (
    <ol className="flow" id="journey-flow" aria-label="Steps, top to bottom">
      <li className="flow-start">Start</li>
      {rows.map((r) => (
        <li key={r.name} className={`flow-step flow-${r.type}`} data-step={r.name} id={`step-${r.name}`}>
          {r.jumpsFrom.length > 0 ? <div className="flow-jumps small muted">also from {r.jumpsFrom.join(', ')}</div> : null}
          <div className="flow-box">
            <div className="flow-head">
              <span className="flow-index">{r.index + 1}</span> <strong>{r.name}</strong> <span className="badge">{r.type}</span>
            </div>
            <div className="flow-summary">{r.summary}</div>
            {r.counts.length > 0 ? (
              <dl className="flow-counts">
                {r.counts.map((c) => (
                  <div key={c.label} data-count={c.label}>
                    <dt>{c.label}</dt>
                    <dd>{formatNumber(c.value, 0)}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </div>
          {r.exits.length > 0 ? (
            <ul className={`flow-exits${r.exits.length > 1 ? ' split' : ''}`}>
              {r.exits.map((e) => (
                <li key={e.label} data-exit={e.label}>
                  {e.label === 'next' ? '' : <strong>{e.label}</strong>}
                  {e.label === 'next' ? '↓ ' : ' → '}
                  {e.to === 'exit' ? <span className="flow-end">exit</span> : e.to}
                  {e.count !== undefined ? <span className="badge">{formatNumber(e.count, 0)}</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <ul className="flow-exits">
              <li>
                <span className="flow-end">exit</span>
              </li>
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
