// The list of dashboards (`#/dashboards`): GET /api/v1/dashboards (by name), each with its tiles
// and when it last changed; writers create an empty one by name (POST /api/v1/dashboards, then
// open it). Tiles are added from the Analytics tabs with "Save to dashboard".
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { checkName } from '../../dashboards/tiles';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { asApiError, type ApiError } from '../../errors';
import { formatDateTime } from '../../format';
import { can } from '../../roles';
import { href } from '../../router';
import { useSession } from '../../session';
import { useAsync } from '../../useAsync';
import { FieldProblem } from '../../components/FieldProblem';

export function DashboardList() {
  const { role } = useSession();
  const list = useAsync((signal) => api.dashboards(signal), []);
  const names = list.status === 'ok' ? list.data.dashboards.map((d) => d.name) : [];
  return (
    <>
      <header className="page-header">
        <h1>Dashboards</h1>
      </header>
      <p className="lead">
        Saved Analytics questions side by side — trends, funnels, retention tables and paths — asked again each time a dashboard is opened.
      </p>
      {can(role, 'dashboards.write') ? <CreateForm taken={names} /> : null}
      {list.status === 'loading' ? (
        <Loading what="the dashboards" />
      ) : list.status === 'error' ? (
        <ErrorNotice error={list.error} onRetry={list.reload} title="The dashboards could not be listed." />
      ) : list.data.dashboards.length === 0 ? (
        <Empty title="No dashboards yet.">
          <p>
            Create one above, or open <a href={href({ page: 'analytics' })}>Analytics</a>, ask a question and use <em>Save to dashboard</em> under the
            answer.
          </p>
        </Empty>
      ) : (
        <div className="table-scroll">
          <table className="dashboard-list">
            <caption className="visually-hidden">Dashboards, by name</caption>
            <thead>
              <tr>
                <th scope="col">Dashboard</th>
                <th scope="col" className="num">Tiles</th>
                <th scope="col">Tiles shown</th>
                <th scope="col">Changed</th>
              </tr>
            </thead>
            <tbody>
              {list.data.dashboards.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <a href={href({ page: 'dashboards', id: d.id })}>{d.name}</a>
                  </th>
                  <td className="num">{d.tiles.length}</td>
                  <td className="muted small">
                    {d.tiles
                      .slice(0, 3)
                      .map((t) => t.title)
                      .join(' · ')}
                    {d.tiles.length > 3 ? ` · and ${d.tiles.length - 3} more` : ''}
                  </td>
                  <td>{formatDateTime(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function CreateForm({ taken }: { taken: readonly string[] }) {
  const [name, setName] = useState('');
  const [problem, setProblem] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const n = checkName(name, taken);
    if (!n.ok) return setProblem(n.problem);
    setProblem('');
    setError(null);
    setBusy(true);
    try {
      const created = await api.createDashboard({ name: n.value, tiles: [] });
      window.location.hash = href({ page: 'dashboards', id: created.id });
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="New dashboard">
      <label htmlFor="new-dashboard-name">New dashboard</label>
      <input id="new-dashboard-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="e.g. Weekly growth" aria-invalid={problem ? true : undefined} />
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create dashboard'}
      </button>
      <FieldProblem problem={problem} />
      {error ? <ErrorNotice error={error} title="The dashboard was not created." /> : null}
    </form>
  );
}
