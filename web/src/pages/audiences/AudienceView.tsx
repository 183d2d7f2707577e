// One audience (`#/audiences/<name>`): GET /api/v1/audiences/{name} (its canonical text, size,
// status), its membership over time (MembershipHistory: GET …/history?days=90), its members (GET …/members?limit=50&after=ID, each a link to the profile), the
// destinations it syncs to (GET /api/v1/destinations for the names; writers change them with
// PUT …/destinations), Delete with a confirm (writers: DELETE /api/v1/audiences/{name}), and a
// builder started from a copy of its tree.
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { fromTree } from '../../audiences/tree';
import { Empty } from '../../components/Empty';
import { ConfirmDelete } from '../../components/ConfirmDelete';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { asApiError, type ApiError } from '../../errors';
import { formatDateTime, formatNumber } from '../../format';
import { can } from '../../roles';
import { href } from '../../router';
import { useSession } from '../../session';
import { useAsync } from '../../useAsync';
import type { Audience } from '../../types';
import { Builder } from './Builder';
import { MembershipHistory } from './MembershipHistory';
import { StatusBadge } from './StatusBadge';

const PAGE = 50;

export function AudienceView({ name }: { name: string }) {
  const { role } = useSession();
  const state = useAsync((signal) => api.audience(name, signal), [name]);
  const [copy, setCopy] = useState(false);
  const [refreshed, setRefreshed] = useState(0);
  // A new audience is computed, then evaluated: ask again every 2 s until it is live.
  const [fresh, setFresh] = useState<Audience | null>(null);
  const shown = fresh ?? (state.status === 'ok' ? state.data : null);
  const settling = shown !== null && shown.status !== 'live';
  useEffect(() => {
    if (!settling) return;
    const controller = new AbortController();
    const t = window.setTimeout(() => {
      api.audience(name, controller.signal).then(setFresh, () => undefined);
    }, 2000);
    return () => {
      window.clearTimeout(t);
      controller.abort();
    };
  }, [settling, shown, name]);
  if (state.status === 'loading') return <Loading what={`audience ${name}`} />;
  if (state.status === 'error') {
    return (
      <>
        <p>
          <a href={href({ page: 'audiences' })}>← All audiences</a>
        </p>
        <h1>{name}</h1>
        {state.error.status === 404 ? (
          <Empty title={`There is no audience named “${name}”.`}>
            <p>
              It may have been deleted. <a href={href({ page: 'audiences' })}>See every audience</a>.
            </p>
          </Empty>
        ) : (
          <ErrorNotice error={state.error} onRetry={state.reload} title="The audience could not be loaded." />
        )}
      </>
    );
  }
  const a = fresh ?? state.data;
  const initial = a.tree !== undefined ? fromTree(a.tree) : null;
  return (
    <>
      <p>
        <a href={href({ page: 'audiences' })}>← All audiences</a>
      </p>
      <h1>{a.name}</h1>
      {a.description ? <p className="lead">{a.description}</p> : null}
      <section className="card aud" aria-labelledby="audience-def-title">
        <h2 id="audience-def-title" className="visually-hidden">
          Definition
        </h2>
        <pre className="audience-text" id="audience-definition" aria-label="Definition in the audience language">
          {a.definition}
        </pre>
        <dl className="health">
          <div>
            <dt>
              <Term id="audience-size">Size</Term>
            </dt>
            <dd id="audience-size">{formatNumber(a.size, 0)}</dd>
          </div>
          <div>
            <dt>
              <Term id="audience-status">Status</Term>
            </dt>
            <dd>
              <StatusBadge status={a.status} progress={a.progress} />
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{formatDateTime(a.createdAt)}</dd>
          </div>
        </dl>
        <div className="toolbar">
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setFresh(null);
              state.reload();
              setRefreshed((n) => n + 1);
            }}
          >
            Refresh
          </button>
          {initial ? (
            <button type="button" className="secondary" onClick={() => setCopy(true)} disabled={copy}>
              Build a new audience from this one
            </button>
          ) : null}
        </div>
      </section>
      <MembershipHistory name={a.name} createdAt={a.createdAt} refresh={refreshed} />
      <Members key={a.status} name={a.name} />
      <Destinations audience={a} onChanged={state.reload} />
      <ConfirmDelete
        what="audience"
        name={a.name}
        consequence=" and its memberships? This cannot be undone."
        allowed={can(role, 'audiences.write')}
        remove={() => api.deleteAudience(a.name)}
        afterHref={href({ page: 'audiences' })}
        className="card aud"
      />
      {copy && initial ? <Builder audienceNames={[]} initial={initial} /> : null}
    </>
  );
}

function Members({ name }: { name: string }) {
  const [cursors, setCursors] = useState<Array<string | null>>([null]); // the `after` of each page seen
  const after = cursors[cursors.length - 1];
  const page = useAsync((signal) => api.audienceMembers(name, { limit: PAGE, after }, signal), [name, after]);
  return (
    <section className="card aud" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {page.status === 'loading' ? (
        <Loading what="members" />
      ) : page.status === 'error' ? (
        <ErrorNotice error={page.error} onRetry={page.reload} title="The members could not be listed." />
      ) : page.data.members.length === 0 && cursors.length === 1 ? (
        <Empty title="Nobody is in this audience now.">
          <p>A new audience fills up once it is live; customers enter as soon as an event or time makes its description true.</p>
        </Empty>
      ) : (
        <>
          <table className="members">
            <thead>
              <tr>
                <th scope="col">Profile</th>
                <th scope="col">In the audience since</th>
              </tr>
            </thead>
            <tbody>
              {page.data.members.map((m) => (
                <tr key={m.id}>
                  <td>
                    <a href={href({ page: 'profiles', profileId: m.id })}>{m.id}</a>
                  </td>
                  <td>{formatDateTime(m.since)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="toolbar">
            <button type="button" className="secondary small" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous page
            </button>
            <span className="muted small">Page {cursors.length}</span>
            <button
              type="button"
              className="secondary small"
              disabled={page.data.next === null}
              onClick={() => {
                const next = page.data.next;
                if (next !== null) setCursors((c) => [...c, next]);
              }}
            >
              Next page
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function Destinations({ audience, onChanged }: { audience: Audience; onChanged: () => void }) {
  const { role } = useSession();
  const mayWrite = can(role, 'audiences.write');
  const current = audience.destinations ?? [];
  const list = useAsync((signal) => api.destinations(signal), []);
  const [picked, setPicked] = useState<string[]>(current);
  const [state, setState] = useState<{ busy: boolean; error?: ApiError; saved?: boolean }>({ busy: false });
  const names = list.status === 'ok' ? list.data.destinations.map((d) => d.definition.name) : [];
  const all = [...names, ...current.filter((n) => !names.includes(n))];
  const changed = picked.length !== current.length || picked.some((n) => !current.includes(n));

  const saveDestinations = async () => {
    setState({ busy: true });
    try {
      await api.setAudienceDestinations(audience.name, picked);
      setState({ busy: false, saved: true });
      onChanged();
    } catch (err) {
      setState({ busy: false, error: asApiError(err) });
    }
  };

  return (
    <section className="card aud" aria-labelledby="dest-title">
      <h2 id="dest-title">
        Synced to <Term id="destinations">destinations</Term>
      </h2>
      <p className="small muted">Every customer entering or leaving this audience is sent to these destinations from now on.</p>
      {!mayWrite ? (
        current.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul>
            {current.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        )
      ) : list.status === 'loading' ? (
        <Loading what="destinations" />
      ) : list.status === 'error' ? (
        <ErrorNotice error={list.error} onRetry={list.reload} title="The destinations could not be listed." />
      ) : all.length === 0 ? (
        <Empty title="No destinations yet.">
          <p>
            An admin adds webhook destinations on <a href={href({ page: 'connections', tab: 'destinations' })}>Sources &amp; destinations</a>; then
            this audience can be synced to them.
          </p>
        </Empty>
      ) : (
        <fieldset className="plain">
          <legend className="visually-hidden">Destinations of {audience.name}</legend>
          {all.map((n) => (
            <div key={n}>
              <input
                type="checkbox"
                id={`sync-${n}`}
                checked={picked.includes(n)}
                onChange={(e) => {
                  setState({ busy: false });
                  setPicked((p) => (e.target.checked ? [...p, n] : p.filter((x) => x !== n)));
                }}
              />{' '}
              <label htmlFor={`sync-${n}`}>{n}</label>
            </div>
          ))}
          <div className="toolbar">
            <button type="button" onClick={() => void saveDestinations()} disabled={!changed || state.busy}>
              {state.busy ? 'Saving…' : 'Save destinations'}
            </button>
            {state.saved && !changed ? (
              <span role="status" className="small">
                Saved.
              </span>
            ) : null}
          </div>
          {state.error ? <ErrorNotice error={state.error} title="The destinations were not changed." /> : null}
        </fieldset>
      )}
    </section>
  );
}
