// One dashboard (`#/dashboards/<id>`): GET /api/v1/dashboards/{id}, its tiles as a grid, each
// asking its question again (TileCard); *Refresh* asks them all again. Every change — move or
// remove a tile, rename — is one PUT of the whole dashboard (bodies from dashboards/tiles.ts);
// *Delete* with a confirmation (DELETE /api/v1/dashboards/{id}).
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { renamed, withTileMoved, withoutTile, type DashboardBody } from '../../dashboards/tiles';
import { ConfirmDelete } from '../../components/ConfirmDelete';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { asApiError, type ApiError } from '../../errors';
import { formatDateTime, plural } from '../../format';
import { can } from '../../roles';
import { href } from '../../router';
import { useSession } from '../../session';
import type { Dashboard } from '../../types';
import { useAsync } from '../../useAsync';
import { TileCard } from './TileCard';
import { FieldProblem } from '../../components/FieldProblem';

export function DashboardView({ id }: { id: string }) {
  const state = useAsync((signal) => api.dashboard(id, signal), [id]);
  if (state.status === 'loading') return <Loading what="the dashboard" />;
  if (state.status === 'error') {
    return (
      <>
        <p>
          <a href={href({ page: 'dashboards' })}>← Dashboards</a>
        </p>
        {state.error.status === 404 ? (
          <Empty title="This dashboard does not exist (any more).">
            <p>
              It may have been deleted. Pick one in the <a href={href({ page: 'dashboards' })}>list of dashboards</a>.
            </p>
          </Empty>
        ) : (
          <ErrorNotice error={state.error} onRetry={state.reload} title="The dashboard could not be loaded." />
        )}
      </>
    );
  }
  return <Loaded initial={state.data} />;
}

/** A stable key per tile (tiles have no ids): its content, and which copy of it. */
function tileKeys(d: Dashboard): string[] {
  const seen = new Map<string, number>();
  return d.tiles.map((t) => {
    const k = JSON.stringify(t);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return `${n}:${k}`;
  });
}

function Loaded({ initial }: { initial: Dashboard }) {
  const { role } = useSession();
  const editable = can(role, 'dashboards.write');
  const [dash, setDash] = useState(initial);
  // Refresh: "last N days" counted back from now, and every tile asked again (a new round).
  const [clock, setClock] = useState(() => ({ now: Date.now(), round: 0 }));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const save = async (body: DashboardBody): Promise<boolean> => {
    setSaving(true);
    setError(null);
    try {
      setDash(await api.updateDashboard(dash.id, body));
      return true;
    } catch (err) {
      setError(asApiError(err));
      return false;
    } finally {
      setSaving(false);
    }
  };
  const keys = tileKeys(dash);

  return (
    <>
      <p>
        <a href={href({ page: 'dashboards' })}>← Dashboards</a>
      </p>
      <header className="page-header">
        <h1 id="dashboard-title" tabIndex={-1}>
          {dash.name}
        </h1>
        <div className="toolbar">
          <span className="muted small">
            {plural(dash.tiles.length, 'tile')} · changed {formatDateTime(dash.updatedAt)}
          </span>
          <button type="button" className="secondary" onClick={() => setClock((c) => ({ now: Date.now(), round: c.round + 1 }))}>
            Refresh
          </button>
        </div>
      </header>
      {error ? <ErrorNotice error={error} title="The dashboard was not changed." /> : null}
      {dash.tiles.length === 0 ? (
        <Empty title="This dashboard has no tiles yet.">
          <p>
            Open <a href={href({ page: 'analytics' })}>Analytics</a>, ask a question (a trend, a funnel, a retention table or paths), then use{' '}
            <em>Save to dashboard</em> under the answer and pick “{dash.name}”.
          </p>
        </Empty>
      ) : (
        <ul className="tiles" aria-label={`Tiles of ${dash.name}`}>
          {dash.tiles.map((t, i) => (
            <TileCard
              key={`${clock.round}:${keys[i]}`}
              tile={t}
              index={i}
              count={dash.tiles.length}
              now={clock.now}
              editable={editable}
              busy={saving}
              onMove={(delta) => void save(withTileMoved(dash, i, delta))}
              onRemove={() =>
                void save(withoutTile(dash, i)).then((ok) => {
                  // The tile and its buttons are gone: the keyboard focus goes back to the title.
                  if (ok) document.getElementById('dashboard-title')?.focus();
                })
              }
            />
          ))}
        </ul>
      )}
      {editable ? (
        <div className="grid-2 dash-manage">
          <RenameForm dash={dash} save={save} busy={saving} />
          <ConfirmDelete
            what="dashboard"
            name={dash.name}
            consequence={` and its ${plural(dash.tiles.length, 'tile')}? The events stay; only this page goes.`}
            allowed={editable}
            remove={() => api.deleteDashboard(dash.id)}
            afterHref={href({ page: 'dashboards' })}
          />
        </div>
      ) : null}
    </>
  );
}

function RenameForm({ dash, save, busy }: { dash: Dashboard; save: (b: DashboardBody) => Promise<boolean>; busy: boolean }) {
  const [name, setName] = useState(dash.name);
  const [problem, setProblem] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = renamed(dash, name);
    if (!body.ok) return setProblem(body.problem);
    setProblem('');
    await save(body.value);
  };
  return (
    <section className="card" aria-labelledby="rename-title">
      <h2 id="rename-title">Rename</h2>
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="dashboard-name">Name</label>
        <input id="dashboard-name" className="wide" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} aria-invalid={problem ? true : undefined} />
        <button type="submit" disabled={busy || name.trim() === dash.name}>
          Rename
        </button>
        <FieldProblem problem={problem} />
      </form>
    </section>
  );
}
