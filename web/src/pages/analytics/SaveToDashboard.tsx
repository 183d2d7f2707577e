// "Save to dashboard" under an Analytics answer: pick a dashboard (GET /api/v1/dashboards, asked
// when the disclosure opens) or name a new one, title the tile (the question in words by
// default), and save — POST /api/v1/dashboards for a new one, else GET then PUT the dashboard
// with the tile added (dashboards/tiles.ts checks the limits). The tile keeps the period picked.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '../../api';
import { defaultTitle, readSpec } from '../../analytics/fromSpec';
import { checkName, makeTile, withTile } from '../../dashboards/tiles';
import { ErrorNotice } from '../../components/ErrorNotice';
import { asApiError, type ApiError } from '../../errors';
import type { PeriodChoice } from '../../insights/specs';
import { can } from '../../roles';
import { href } from '../../router';
import { useSession } from '../../session';
import { useAsync } from '../../useAsync';

const NEW = '';

type Outcome = { kind: 'idle' } | { kind: 'busy' } | { kind: 'problem'; text: string } | { kind: 'error'; error: ApiError } | { kind: 'saved'; id: string; name: string; title: string };

export function SaveToDashboard({ query, period }: { query: Record<string, unknown>; period: PeriodChoice }) {
  const { role } = useSession();
  const [open, setOpen] = useState(false);
  if (!can(role, 'dashboards.write')) return null;
  return (
    <details className="save-tile" open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Save to dashboard</summary>
      {open ? <SaveForm query={query} period={period} /> : null}
    </details>
  );
}

function SaveForm({ query, period }: { query: Record<string, unknown>; period: PeriodChoice }) {
  const id = useId();
  const list = useAsync((signal) => api.dashboards(signal), []);
  const dashboards = list.status === 'ok' ? list.data.dashboards : [];
  const [target, setTarget] = useState(NEW);
  const [newName, setNewName] = useState('');
  const suggested = defaultTitle(readSpec(query));
  const [title, setTitle] = useState(suggested);
  const [edited, setEdited] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  // The title follows the question until it is typed in.
  useEffect(() => {
    if (!edited) setTitle(suggested);
  }, [suggested, edited]);
  // Once the list is there, the first dashboard is picked (a new one when there is none).
  useEffect(() => {
    if (list.status === 'ok' && target === NEW && list.data.dashboards.length > 0 && newName === '') setTarget(list.data.dashboards[0].id);
    // Only when the list arrives.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list.status]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const tile = makeTile(title, query, period);
    if (!tile.ok) return setOutcome({ kind: 'problem', text: tile.problem });
    setOutcome({ kind: 'busy' });
    try {
      if (target === NEW) {
        const name = checkName(newName, dashboards.map((d) => d.name));
        if (!name.ok) return setOutcome({ kind: 'problem', text: name.problem });
        const created = await api.createDashboard({ name: name.value, tiles: [tile.value] });
        setTarget(created.id);
        setNewName('');
        setOutcome({ kind: 'saved', id: created.id, name: created.name, title: tile.value.title });
      } else {
        const current = await api.dashboard(target); // its tiles now, not as listed
        const body = withTile(current, tile.value);
        if (!body.ok) return setOutcome({ kind: 'problem', text: body.problem });
        const saved = await api.updateDashboard(target, body.value);
        setOutcome({ kind: 'saved', id: saved.id, name: saved.name, title: tile.value.title });
      }
      list.reload();
    } catch (err) {
      setOutcome({ kind: 'error', error: asApiError(err) });
    }
  };

  return (
    <form className="inline-form save-form" onSubmit={(e) => void save(e)} aria-label="Save to dashboard">
      <label htmlFor={`${id}-dash`}>Dashboard</label>
      <select id={`${id}-dash`} value={target} onChange={(e) => setTarget(e.target.value)} disabled={list.status === 'loading'}>
        {list.status === 'loading' ? <option value={target}>loading…</option> : null}
        {dashboards.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name} ({d.tiles.length} {d.tiles.length === 1 ? 'tile' : 'tiles'})
          </option>
        ))}
        <option value={NEW}>A new dashboard…</option>
      </select>
      {target === NEW ? (
        <>
          <label htmlFor={`${id}-name`}>named</label>
          <input id={`${id}-name`} value={newName} onChange={(e) => setNewName(e.target.value)} maxLength={100} placeholder="e.g. Weekly growth" />
        </>
      ) : null}
      <label htmlFor={`${id}-title`}>Tile title</label>
      <input
        id={`${id}-title`}
        className="wide"
        value={title}
        maxLength={200}
        onChange={(e) => {
          setTitle(e.target.value);
          setEdited(true);
        }}
      />
      <button type="submit" disabled={outcome.kind === 'busy'}>
        {outcome.kind === 'busy' ? 'Saving…' : 'Save tile'}
      </button>
      {list.status === 'error' ? <ErrorNotice error={list.error} onRetry={list.reload} title="The dashboards could not be listed." /> : null}
      {outcome.kind === 'problem' ? (
        <p className="field-problem" role="alert">
          {outcome.text}
        </p>
      ) : outcome.kind === 'error' ? (
        <ErrorNotice error={outcome.error} title="The tile was not saved." />
      ) : outcome.kind === 'saved' ? (
        <p role="status" className="save-done">
          Saved “{outcome.title}” to <a href={href({ page: 'dashboards', id: outcome.id })}>{outcome.name}</a>.
        </p>
      ) : null}
    </form>
  );
}
