// The Destinations tab: every webhook destination (GET /api/v1/destinations) with its delivery
// health (GET /api/v1/destinations/{name}); writers send a test (POST …/test) and see, replay
// (POST …/dead-letters/replay) or delete (DELETE …/dead-letters/{id}) its dead letters; admins add
// a webhook (POST /api/v1/destinations), whose signing secret is shown once.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api';
import { CodeBlock } from '../../components/CodeBlock';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { keepSelected, reasonText, replayBody, replayedText, statusText } from '../../connections/deadLetters';
import {
  destinationDefinition,
  EMPTY_DESTINATION_FORM,
  type DestinationFormValues,
  type FormField,
} from '../../connections/destinationForm';
import { summarizeHealth } from '../../connections/health';
import { asApiError, type ApiError } from '../../errors';
import { prettyPayload } from '../../payload';
import { formatDateTime, formatNumber, formatRelative } from '../../format';
import { can, rolesFor } from '../../roles';
import { useSession } from '../../session';
import { useAsync } from '../../useAsync';
import type { DeadLetter, Destination } from '../../types';

export function DestinationsTab() {
  const { role } = useSession();
  const list = useAsync((signal) => api.destinations(signal), []);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const mayCreate = can(role, 'destinations.create');
  return (
    <>
      <p className="lead">
        A <Term id="destinations">destination</Term> is a webhook Rapport sends audience changes, journey steps and tests to,
        signed, from a queue of its own that survives restarts and outages.
      </p>
      {created ? (
        <div className="notice notice-info" role="status">
          <p className="notice-title">
            Destination {created.name} created. Copy its signing secret now: it will not be shown again.
          </p>
          <CodeBlock label={`signing secret of ${created.name}`} code={created.secret} />
          <p className="small">
            The receiver checks <code>X-Rapport-Signature</code> with it (docs/destinations.md, “Verifying the signature”).
          </p>
          <button type="button" className="secondary" onClick={() => setCreated(null)}>
            I have copied the secret
          </button>
        </div>
      ) : null}
      {mayCreate ? (
        <CreateDestination
          onCreated={(d) => {
            setCreated({ name: d.definition.name, secret: String(d.definition.secret ?? '') });
            list.reload();
          }}
        />
      ) : null}
      {list.status === 'loading' ? (
        <Loading what="destinations" />
      ) : list.status === 'error' ? (
        <ErrorNotice error={list.error} onRetry={list.reload} title="The destinations could not be listed." />
      ) : list.data.destinations.length === 0 ? (
        <Empty title="No destinations yet.">
          {mayCreate ? (
            <p>
              Add a webhook above (<em>Add a webhook destination</em>): give it a name and the address that should receive
              the messages, then <em>Send a test</em>.
            </p>
          ) : (
            <p>
              Ask an admin to add one: here, or with <code>POST /api/v1/destinations</code> (docs/destinations.md). Then
              audiences can be synced to it.
            </p>
          )}
        </Empty>
      ) : (
        list.data.destinations.map((d) => <DestinationCard key={d.definition.name} initial={d} />)
      )}
    </>
  );
}

function DestinationCard({ initial }: { initial: Destination }) {
  const { role } = useSession();
  const name = initial.definition.name;
  const [dest, setDest] = useState(initial);
  const [refreshing, setRefreshing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [testState, setTestState] = useState<{ busy: boolean; message?: string; error?: ApiError }>({ busy: false });
  const [now, setNow] = useState(Date.now());
  const refresh = useCallback(async () => {
    setRefreshing(true);
    setError(null);
    try {
      setDest(await api.destination(name));
      setNow(Date.now());
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setRefreshing(false);
    }
  }, [name]);

  const sendTest = async () => {
    setTestState({ busy: true });
    try {
      const r = await api.testDestination(name);
      setTestState({ busy: false, message: `Test message ${r.id} queued; its delivery shows in the health above in a moment.` });
      window.setTimeout(() => void refresh(), 1200);
    } catch (err) {
      setTestState({ busy: false, error: asApiError(err) });
    }
  };

  const h = summarizeHealth(dest.health);
  const def = dest.definition;
  const titleId = `dest-${name}-title`;
  return (
    <section className="card connection" id={`dest-${name}`} aria-labelledby={titleId}>
      <div className="connection-head">
        <h3 id={titleId}>{name}</h3>
        <span className={`badge tone-${h.tone}`}>{h.headline}</span>
      </div>
      <p className="muted small break">
        {def.method ?? 'POST'} <code>{def.url}</code>
        {def.purpose ? ` · only profiles that consented to “${def.purpose}”` : ''}
        {typeof def.max_attempts === 'number' ? ` · dead letter after ${def.max_attempts} failed attempts` : ''}
      </p>
      {h.advice ? <p className="small">{h.advice}</p> : null}
      <dl className="health">
        <Figure term="queued" label="Queued" value={h.queued} />
        <Figure term="delivered" label="Delivered" value={h.delivered} />
        <Figure term="failed-attempts" label="Failed attempts" value={h.failedAttempts} />
        <Figure term="dead-letters" label="Dead letters" value={h.deadLetters} detail={h.deadLettered !== null ? `${formatNumber(h.deadLettered, 0)} ever` : undefined} />
      </dl>
      <p className="small">
        <span className="muted">Last error: </span>
        {h.lastError ? (
          <>
            {h.lastError} <span className="muted" title={formatDateTime(h.lastErrorAt)}>({formatRelative(h.lastErrorAt, now)})</span>
          </>
        ) : (
          'none'
        )}
        <span className="muted"> · Last delivery: </span>
        {h.lastSuccessAt ? <span title={formatDateTime(h.lastSuccessAt)}>{formatRelative(h.lastSuccessAt, now)}</span> : 'never'}
      </p>
      <div className="toolbar">
        <button type="button" className="secondary" onClick={() => void refresh()} disabled={refreshing} aria-label={`Refresh the health of ${name}`}>
          {refreshing ? 'Refreshing…' : 'Refresh'}
        </button>
        {can(role, 'destinations.test') ? (
          <button type="button" className="secondary" onClick={() => void sendTest()} disabled={testState.busy} aria-label={`Send a test to ${name}`}>
            {testState.busy ? 'Sending…' : 'Send a test'}
          </button>
        ) : null}
      </div>
      {testState.message ? (
        <p className="small" role="status">
          {testState.message}
        </p>
      ) : null}
      {testState.error ? <ErrorNotice error={testState.error} title="The test was not queued." /> : null}
      {error ? <ErrorNotice error={error} onRetry={() => void refresh()} title="The health could not be refreshed." /> : null}
      {can(role, 'deadLetters.manage') ? (
        <DeadLetters name={name} count={h.deadLetters} onChanged={() => void refresh()} />
      ) : (
        <p className="muted small">
          Dead letters hold personal data: only {rolesFor('deadLetters.manage').join(' and ')} tokens may read or replay them.
        </p>
      )}
    </section>
  );
}

function Figure({ term, label, value, detail }: { term: string; label: string; value: number | null; detail?: string }) {
  return (
    <div className="figure">
      <dt>
        <Term id={term}>{label}</Term>
      </dt>
      <dd className="figure-value">{formatNumber(value, 0)}</dd>
      {detail ? <dd className="figure-detail">{detail}</dd> : null}
    </div>
  );
}

const PAGE = 50;

function DeadLetters({ name, count, onChanged }: { name: string; count: number | null; onChanged: () => void }) {
  const [letters, setLetters] = useState<DeadLetter[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [generation, setGeneration] = useState(0);

  // Reloads the first page when the count changes (a test failed, a replay went out) or on demand.
  useEffect(() => {
    const c = new AbortController();
    setLoading(true);
    setError(null);
    api
      .deadLetters(name, { limit: PAGE }, c.signal)
      .then((page) => {
        setLetters(page.deadLetters);
        setNext(page.next);
        setSelected((s) => keepSelected(s, page.deadLetters));
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (c.signal.aborted) return;
        setError(asApiError(err));
        setLoading(false);
      });
    return () => c.abort();
  }, [name, count, generation]);

  const loadMore = async () => {
    if (next === null) return;
    setLoading(true);
    try {
      const page = await api.deadLetters(name, { limit: PAGE, after: next });
      setLetters((old) => [...old, ...page.deadLetters.filter((l) => !old.some((o) => o.id === l.id))]);
      setNext(page.next);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setLoading(false);
    }
  };

  // Runs a change to the dead letters: busy meanwhile, then the message it returns (or the
  // error), and the list read again.
  const change = async (action: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    setActionError(null);
    try {
      setMessage(await action());
      setGeneration((g) => g + 1);
      onChanged();
    } catch (err) {
      setActionError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const replay = async (what: 'all' | number[]) => {
    const body = replayBody(what);
    if (!body) return;
    await change(async () => {
      const r = await api.replayDeadLetters(name, body);
      setSelected(new Set());
      return replayedText(r.replayed, what === 'all' ? 'all' : 'ids' in body ? body.ids.length : 0);
    });
  };

  const remove = (id: number) =>
    change(async () => {
      await api.deleteDeadLetter(name, id);
      setConfirming(null);
      return `Dead letter ${id} deleted for good.`;
    });

  const toggle = (id: number, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });

  const headingId = `dest-${name}-dead-letters`;
  return (
    <div className="dead-letters" role="region" aria-labelledby={headingId}>
      <h4 id={headingId}>
        <Term id="dead-letters">Dead letters</Term> of {name}
      </h4>
      <p className="small" role="status" aria-live="polite" id={`dest-${name}-status`}>
        {message ?? ''}
      </p>
      {actionError ? <ErrorNotice error={actionError} title="That did not work." /> : null}
      {error ? (
        <ErrorNotice error={error} onRetry={() => setGeneration((g) => g + 1)} title="The dead letters could not be listed." />
      ) : loading && letters.length === 0 ? (
        <Loading what={`the dead letters of ${name}`} />
      ) : letters.length === 0 ? (
        <p className="muted small">Nothing failed: no message to {name} was given up.</p>
      ) : (
        <>
          <div className="toolbar">
            <button type="button" onClick={() => void replay([...selected])} disabled={busy || selected.size === 0}>
              Replay selected ({selected.size})
            </button>
            <button type="button" className="secondary" onClick={() => void replay('all')} disabled={busy}>
              Replay all{count !== null ? ` (${formatNumber(count, 0)})` : ''}
            </button>
          </div>
          <ul className="letters" aria-label={`Dead letters of ${name}, oldest first`}>
            {letters.map((l) => (
              <li key={l.id} id={`dl-${name}-${l.id}`} className="letter">
                <div className="letter-head">
                  <input
                    type="checkbox"
                    id={`dl-${name}-${l.id}-select`}
                    checked={selected.has(l.id)}
                    onChange={(e) => toggle(l.id, e.target.checked)}
                  />
                  <label htmlFor={`dl-${name}-${l.id}-select`}>
                    #{l.id} · <span className="badge tone-error">{statusText(l)}</span> · {l.attempts} attempt{l.attempts === 1 ? '' : 's'} · given up{' '}
                    <span title={formatDateTime(l.deadAt)}>{formatRelative(l.deadAt)}</span>
                  </label>
                  <span className="letter-actions">
                    <button type="button" className="small" onClick={() => void replay([l.id])} disabled={busy} aria-label={`Replay dead letter ${l.id}`}>
                      Replay
                    </button>
                    {confirming === l.id ? (
                      <>
                        <button type="button" className="small danger" onClick={() => void remove(l.id)} disabled={busy} aria-label={`Delete dead letter ${l.id} for good`}>
                          Delete for good
                        </button>
                        <button type="button" className="small secondary" onClick={() => setConfirming(null)}>
                          Keep it
                        </button>
                      </>
                    ) : (
                      <button type="button" className="small secondary" onClick={() => setConfirming(l.id)} disabled={busy} aria-label={`Delete dead letter ${l.id}`}>
                        Delete
                      </button>
                    )}
                  </span>
                </div>
                <p className="small">{reasonText(l)}</p>
                <details>
                  <summary className="small">
                    Payload{l.profileKey ? ` for profile ${l.profileKey}` : ''} <span className="muted">({l.idempotencyKey})</span>
                  </summary>
                  <pre tabIndex={0} aria-label={`payload of dead letter ${l.id}`}>{prettyPayload(l.body)}</pre>
                </details>
              </li>
            ))}
          </ul>
          {next !== null ? (
            <button type="button" className="secondary" onClick={() => void loadMore()} disabled={loading}>
              {loading ? 'Loading…' : 'Load more dead letters'}
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}

function CreateDestination({ onCreated }: { onCreated: (d: Destination) => void }) {
  const [v, setV] = useState<DestinationFormValues>(EMPTY_DESTINATION_FORM);
  const [problems, setProblems] = useState<Partial<Record<FormField, string>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [open, setOpen] = useState(false);
  const set = (field: FormField) => (e: { target: { value: string } }) => setV((old) => ({ ...old, [field]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = destinationDefinition(v);
    setError(null);
    if (!r.ok) {
      setProblems(r.problems);
      const first = Object.keys(r.problems)[0];
      document.getElementById(`nd-${first}`)?.focus();
      return;
    }
    setProblems({});
    setBusy(true);
    try {
      const d = await api.createDestination(r.definition);
      setV(EMPTY_DESTINATION_FORM);
      setOpen(false);
      onCreated(d);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  const field = (f: FormField, label: string, input: JSX.Element, hint?: string) => (
    <div className="field">
      <label htmlFor={`nd-${f}`}>{label}</label>
      {input}
      {hint ? <span className="muted small" id={`nd-${f}-hint`}>{hint}</span> : null}
      {problems[f] ? (
        <span className="field-problem" id={`nd-${f}-problem`}>
          {problems[f]}
        </span>
      ) : null}
    </div>
  );
  const aria = (f: FormField) => ({
    id: `nd-${f}`,
    'aria-invalid': problems[f] ? true : undefined,
    'aria-describedby': problems[f] ? `nd-${f}-problem` : undefined,
  });
  return (
    <details className="model-details" open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Add a webhook destination</summary>
      <form className="destination-form" onSubmit={submit} noValidate>
        {field('name', 'Name', <input {...aria('name')} value={v.name} onChange={set('name')} placeholder="crm_webhook" />, 'lower-case letters, digits and _')}
        {field('url', 'Address (URL)', <input {...aria('url')} value={v.url} onChange={set('url')} placeholder="https://hooks.example.com/rapport" />)}
        {field(
          'method',
          'Method',
          <select {...aria('method')} value={v.method} onChange={set('method')}>
            <option value="POST">POST</option>
            <option value="PUT">PUT</option>
          </select>,
        )}
        {field('headers', 'Extra headers', <textarea {...aria('headers')} rows={2} value={v.headers} onChange={set('headers')} placeholder="Authorization: Bearer crm-token" />, 'one “Name: value” a line')}
        {field(
          'template',
          'Body template',
          <textarea {...aria('template')} rows={3} value={v.template} onChange={set('template')} placeholder='{"email": {{profile.traits.email}}, "audience": {{audience.name}}}' />,
          'optional: without one, the message itself is the body',
        )}
        {field('purpose', 'Consent purpose', <input {...aria('purpose')} value={v.purpose} onChange={set('purpose')} placeholder="Advertising" />, 'optional: only profiles that granted it are sent')}
        {field('maxAttempts', 'Attempts before a dead letter', <input {...aria('maxAttempts')} inputMode="numeric" value={v.maxAttempts} onChange={set('maxAttempts')} placeholder="10" />)}
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Adding…' : 'Add destination'}
          </button>
        </div>
        {error ? <ErrorNotice error={error} title="The destination was not added." /> : null}
      </form>
    </details>
  );
}
