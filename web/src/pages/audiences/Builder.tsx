// The no-code audience builder: conditions combined with all/any (and nested groups) → the JSON
// tree of docs/audiences.md, shown as audience-language text, with a live size preview
// (POST /api/v1/audiences/preview with {"tree"}, 400 ms after the last change) and, for admins and
// marketers, Save (POST /api/v1/audiences with name, description and the tree). Event names come
// from POST /api/v1/query {"kind":"events"} over the last 90 days (any other name can be typed).
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api } from '../../api';
import { readEvents, eventsSpec } from '../../analytics/specs';
import { createDebouncer, errorPosition, previewRequest, PREVIEW_DELAY_MS } from '../../audiences/debounce';
import { addCondition, countConditions, removeCondition, updateCondition } from '../../audiences/edit';
import { toText } from '../../audiences/text';
import {
  emptyRoot,
  nameProblem,
  newCondition,
  newWhereRow,
  OPS,
  problems,
  toTree,
  UNITS,
  type Condition,
  type CountOp,
  type EventType,
  type Op,
  type RefKind,
  type Unit,
  type WhereRow,
} from '../../audiences/tree';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Term } from '../../components/Term';
import { asApiError, type ApiError } from '../../errors';
import { formatNumber } from '../../format';
import { lastDays } from '../../overviewQuery';
import { can, rolesFor } from '../../roles';
import { href } from '../../router';
import { useSession } from '../../session';
import { useAsync } from '../../useAsync';
import type { AudiencePreview } from '../../types';

type Ctx = {
  change: (id: number, fn: (c: Condition) => Condition) => void;
  remove: (id: number) => void;
  add: (groupId: number, c: Condition) => void;
  problemsOf: Map<number, string[]>;
  audienceNames: string[];
};

type PreviewState =
  | { phase: 'idle' }
  | { phase: 'waiting' }
  | { phase: 'ok'; data: AudiencePreview }
  | { phase: 'error'; error: ApiError };

export function Builder({
  audienceNames,
  onSaved,
  initial,
}: {
  audienceNames: string[];
  onSaved?: () => void;
  initial?: Condition;
}) {
  const { role } = useSession();
  const mayWrite = can(role, 'audiences.write');
  const [root, setRoot] = useState<Condition>(() => initial ?? emptyRoot());
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [save, setSave] = useState<{ busy: boolean; error?: ApiError; nameProblem?: string }>({ busy: false });

  const range = useMemo(() => lastDays(Date.now(), 90), []);
  const discovery = useAsync((signal) => api.query<unknown>(eventsSpec(range), signal), [range.from, range.to]);
  const events = useMemo(() => (discovery.status === 'ok' ? readEvents(discovery.data).map((e) => e.name) : []), [discovery.status, discovery.data]);

  const found = useMemo(() => problems(root), [root]);
  const tree = useMemo(() => (found.length === 0 ? toTree(root) : null), [root, found]);
  const text = useMemo(() => (tree ? toText(tree) : null), [tree]);
  const tooMany = countConditions(root) > 256;
  const problemsOf = useMemo(() => {
    const m = new Map<number, string[]>();
    for (const p of found) m.set(p.id, [...(m.get(p.id) ?? []), p.message]);
    return m;
  }, [found]);

  // The live preview: the last tree, 400 ms after the last change; a newer question aborts an older one.
  const [preview, setPreview] = useState<PreviewState>({ phase: 'idle' });
  const debouncer = useMemo(() => createDebouncer(PREVIEW_DELAY_MS), []);
  const inflight = useRef<AbortController | null>(null);
  const req = useMemo(() => (tooMany ? null : previewRequest(tree)), [tree, tooMany]);
  const reqKey = req?.key ?? null;
  useEffect(() => {
    if (!req) {
      debouncer.cancel();
      inflight.current?.abort();
      setPreview({ phase: 'idle' });
      return;
    }
    setPreview((p) => (p.phase === 'ok' || p.phase === 'error' ? p : { phase: 'waiting' }));
    debouncer.call(() => {
      inflight.current?.abort();
      const controller = new AbortController();
      inflight.current = controller;
      setPreview((p) => (p.phase === 'idle' ? { phase: 'waiting' } : p));
      api
        .previewAudience(req.body, controller.signal)
        .then((data) => {
          if (!controller.signal.aborted) setPreview({ phase: 'ok', data });
        })
        .catch((err: unknown) => {
          if (!controller.signal.aborted) setPreview({ phase: 'error', error: asApiError(err) });
        });
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reqKey]);
  useEffect(() => () => {
    debouncer.cancel();
    inflight.current?.abort();
  }, [debouncer]);

  const ctx: Ctx = {
    change: (id, fn) => setRoot((r) => updateCondition(r, id, fn)),
    remove: (id) => setRoot((r) => removeCondition(r, id)),
    add: (groupId, c) => setRoot((r) => addCondition(r, groupId, c)),
    problemsOf,
    audienceNames,
  };

  const onSave = async (e: FormEvent) => {
    e.preventDefault();
    const np = nameProblem(name.trim());
    if (np) {
      setSave({ busy: false, nameProblem: np });
      document.getElementById('audience-name')?.focus();
      return;
    }
    if (!tree) return;
    setSave({ busy: true });
    try {
      const saved = await api.createAudience({ name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}), tree });
      setSave({ busy: false });
      onSaved?.();
      window.location.hash = href({ page: 'audiences', name: saved.name });
    } catch (err) {
      setSave({ busy: false, error: asApiError(err) });
    }
  };

  return (
    <section className="card builder" aria-labelledby="builder-title">
      <h2 id="builder-title">Build an audience</h2>
      <div className="builder-grid">
        <div className="builder-conditions">
          <GroupEditor group={root as Condition & { kind: 'group' }} isRoot ctx={ctx} events={events} />
          {tooMany ? <p className="field-problem">At most 256 conditions in one audience.</p> : null}
        </div>
        <aside className="builder-side" aria-label="The audience so far">
          <h3 id="audience-text-label">In the audience language</h3>
          {text !== null ? (
            <pre id="audience-text" className="audience-text" aria-labelledby="audience-text-label">
              {text}
            </pre>
          ) : (
            <p id="audience-text" className="muted small">
              {found.length > 0 ? `Finish the conditions (${found.length} ${found.length === 1 ? 'thing' : 'things'} to fix) to see it.` : 'Add a condition.'}
            </p>
          )}
          <h3>
            <Term id="audience-size">Size now</Term>
          </h3>
          <PreviewPanel preview={preview} />
        </aside>
      </div>
      {mayWrite ? (
        <form className="builder-save" onSubmit={onSave} noValidate>
          <div className="field">
            <label htmlFor="audience-name">Name</label>
            <input
              id="audience-name"
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                if (save.nameProblem) setSave({ busy: false });
              }}
              placeholder="pro_buyers"
              aria-describedby="audience-name-help"
              aria-invalid={save.nameProblem ? true : undefined}
              autoComplete="off"
              spellCheck={false}
            />
            <p id="audience-name-help" className={save.nameProblem ? 'field-problem' : 'muted small'}>
              {save.nameProblem ?? 'a-z, 0-9 and _, starting with a letter; up to 64 characters.'}
            </p>
          </div>
          <div className="field grow">
            <label htmlFor="audience-description">Description (optional)</label>
            <input id="audience-description" value={description} onChange={(e) => setDescription(e.target.value)} placeholder="Pro customers who ordered twice this month" />
          </div>
          <button type="submit" id="audience-save" disabled={save.busy || tree === null || tooMany}>
            {save.busy ? 'Saving…' : 'Save audience'}
          </button>
          {save.error ? <ErrorNotice error={save.error} title="The audience was not saved." /> : null}
        </form>
      ) : (
        <p className="muted small">
          Previews are open to every role; saving an audience needs the role {rolesFor('audiences.write').join(' or ')}.
        </p>
      )}
    </section>
  );
}

function PreviewPanel({ preview }: { preview: PreviewState }) {
  const pos = preview.phase === 'error' ? errorPosition(preview.error) : null;
  return (
    <div id="audience-preview" className="audience-preview" role="status" aria-live="polite" aria-busy={preview.phase === 'waiting'}>
      {preview.phase === 'idle' ? (
        <p className="muted small">Shown here as soon as the conditions are complete.</p>
      ) : preview.phase === 'waiting' ? (
        <p className="muted">
          <span className="spinner" aria-hidden="true" /> Counting…
        </p>
      ) : preview.phase === 'error' ? (
        <div className="notice notice-error">
          <p className="notice-title">The server cannot read this audience{pos ? ` (line ${pos.line}, column ${pos.column})` : ''}.</p>
          <p id="audience-preview-error">{preview.error.message}</p>
        </div>
      ) : (
        <>
          <p className="preview-size">
            <strong id="audience-preview-size">
              {preview.data.estimate ? 'about ' : ''}
              {formatNumber(preview.data.size, 0)}
            </strong>{' '}
            {preview.data.size === 1 ? 'customer' : 'customers'}
          </p>
          <p className="muted small">
            of {formatNumber(preview.data.evaluated, 0)} {preview.data.estimate ? 'sampled ' : ''}profiles
          </p>
          {preview.data.examples.length > 0 ? (
            <>
              <p className="small">For example:</p>
              <ul className="inline-list">
                {preview.data.examples.slice(0, 10).map((id) => (
                  <li key={id}>
                    <a href={href({ page: 'profiles', profileId: id })}>{id}</a>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
    </div>
  );
}

function Problems({ list, id }: { list?: string[]; id: string }) {
  if (!list || list.length === 0) return null;
  return (
    <p className="field-problem" id={id}>
      {list.join(' ')}
    </p>
  );
}

function GroupEditor({ group, isRoot, ctx, events }: { group: Condition & { kind: 'group' }; isRoot?: boolean; ctx: Ctx; events: string[] }) {
  const gid = `cond-${group.id}`;
  return (
    <fieldset className={`cond-group${isRoot ? ' root' : ''}`} aria-labelledby={`${gid}-legend`}>
      <div className="cond-head" id={`${gid}-legend`}>
        {isRoot ? null : <NotToggle c={group} ctx={ctx} />}
        <label htmlFor={`${gid}-combine`}>Customers matching</label>
        <select
          id={`${gid}-combine`}
          value={group.combine}
          onChange={(e) => ctx.change(group.id, (c) => ({ ...c, combine: e.target.value as 'and' | 'or' }) as Condition)}
        >
          <option value="and">all of</option>
          <option value="or">any of</option>
        </select>
        <span className="muted small">these conditions</span>
        {isRoot ? null : (
          <button type="button" className="small secondary push" onClick={() => ctx.remove(group.id)}>
            Remove group
          </button>
        )}
      </div>
      <ol className="cond-list">
        {group.children.map((c, i) => (
          <li key={c.id}>
            {i > 0 ? <span className="joiner" aria-hidden="true">{group.combine === 'and' ? 'and' : 'or'}</span> : null}
            {c.kind === 'group' ? <GroupEditor group={c} ctx={ctx} events={events} /> : <ConditionEditor c={c} ctx={ctx} events={events} />}
          </li>
        ))}
      </ol>
      <Problems list={ctx.problemsOf.get(group.id)} id={`${gid}-problems`} />
      <div className="toolbar">
        <button type="button" className="small secondary" onClick={() => ctx.add(group.id, newCondition('ref'))}>
          Add condition
        </button>
        <button type="button" className="small secondary" onClick={() => ctx.add(group.id, newCondition('group'))}>
          Add group
        </button>
      </div>
    </fieldset>
  );
}

function NotToggle({ c, ctx }: { c: Condition; ctx: Ctx }) {
  const id = `cond-${c.id}-not`;
  return (
    <span className="not-toggle">
      <input id={id} type="checkbox" checked={c.negate} onChange={(e) => ctx.change(c.id, (x) => ({ ...x, negate: e.target.checked }))} />
      <label htmlFor={id}>not</label>
    </span>
  );
}

type LeafKind = RefKind | 'performed' | 'audience' | 'consent';
const KINDS: Array<{ kind: LeafKind; label: string }> = [
  { kind: 'trait', label: 'Trait' },
  { kind: 'computed', label: 'Computed trait' },
  { kind: 'account', label: 'Account trait' },
  { kind: 'performed', label: 'Performed an event' },
  { kind: 'audience', label: 'In audience' },
  { kind: 'consent', label: 'Consented to' },
];

function leafKind(c: Condition): LeafKind {
  return c.kind === 'ref' ? c.ref : (c.kind as LeafKind);
}

function ConditionEditor({ c, ctx, events }: { c: Condition; ctx: Ctx; events: string[] }) {
  const cid = `cond-${c.id}`;
  const problemsId = `${cid}-problems`;
  const changeKind = (k: LeafKind) =>
    ctx.change(c.id, (old) => {
      if (k === 'trait' || k === 'computed' || k === 'account') {
        if (old.kind === 'ref') return { ...old, ref: k };
        return { ...(newCondition('ref') as Condition & { kind: 'ref' }), id: old.id, negate: old.negate, ref: k };
      }
      return { ...newCondition(k), id: old.id, negate: old.negate };
    });
  return (
    <div className="cond" aria-describedby={ctx.problemsOf.has(c.id) ? problemsId : undefined}>
      <div className="cond-row">
        <NotToggle c={c} ctx={ctx} />
        <label htmlFor={`${cid}-kind`} className="visually-hidden">
          Kind of condition
        </label>
        <select id={`${cid}-kind`} value={leafKind(c)} onChange={(e) => changeKind(e.target.value as LeafKind)}>
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
        {c.kind === 'ref' ? <RefFields c={c} ctx={ctx} /> : null}
        {c.kind === 'performed' ? <EventFields c={c} ctx={ctx} events={events} /> : null}
        {c.kind === 'audience' ? (
          <>
            <label htmlFor={`${cid}-audience`} className="visually-hidden">
              Audience
            </label>
            <select id={`${cid}-audience`} value={c.name} onChange={(e) => ctx.change(c.id, (x) => ({ ...x, name: e.target.value }) as Condition)}>
              <option value="">Pick an audience…</option>
              {c.name !== '' && !ctx.audienceNames.includes(c.name) ? <option value={c.name}>{c.name}</option> : null}
              {ctx.audienceNames.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </>
        ) : null}
        {c.kind === 'consent' ? (
          <input
            aria-label="Consent category"
            value={c.purpose}
            placeholder="Advertising"
            onChange={(e) => ctx.change(c.id, (x) => ({ ...x, purpose: e.target.value }) as Condition)}
          />
        ) : null}
        <button type="button" className="small secondary push" onClick={() => ctx.remove(c.id)} aria-label="Remove this condition">
          Remove
        </button>
      </div>
      {c.kind === 'performed' ? <WhereRows c={c} ctx={ctx} /> : null}
      <Problems list={ctx.problemsOf.get(c.id)} id={problemsId} />
    </div>
  );
}

function OpSelect({ value, onChange, label, id }: { value: Op; onChange: (op: Op) => void; label: string; id: string }) {
  return (
    <select id={id} aria-label={label} value={value} onChange={(e) => onChange(e.target.value as Op)}>
      {OPS.map((o) => (
        <option key={o.op} value={o.op}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

const VALUE_HELP = 'Numbers, true, false and null are read as such; "quoted" stays text. A list: values separated by commas.';

function RefFields({ c, ctx }: { c: Condition & { kind: 'ref' }; ctx: Ctx }) {
  const cid = `cond-${c.id}`;
  const set = (patch: Partial<Condition & { kind: 'ref' }>) => ctx.change(c.id, (x) => ({ ...x, ...patch }) as Condition);
  const prefix = c.ref === 'trait' ? 'traits.' : c.ref === 'computed' ? 'computed.' : 'account.';
  const nameLabel = c.ref === 'trait' ? 'Trait name' : c.ref === 'computed' ? 'Computed trait name' : 'Account trait name';
  return (
    <>
      <span className="prefix" aria-hidden="true">
        {prefix}
      </span>
      <input
        id={`${cid}-path`}
        aria-label={nameLabel}
        className="path"
        value={c.path}
        placeholder={c.ref === 'computed' ? 'orders_30d' : 'plan'}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => set({ path: e.target.value })}
      />
      <OpSelect id={`${cid}-op`} label="Comparison" value={c.op} onChange={(op) => set({ op })} />
      {c.op === 'exists' || c.op === 'not_exists' ? null : (
        <input
          id={`${cid}-value`}
          aria-label="Value"
          title={VALUE_HELP}
          value={c.value}
          placeholder={c.op === 'in' ? 'DE, AT, CH' : 'pro'}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => set({ value: e.target.value })}
        />
      )}
    </>
  );
}

function EventFields({ c, ctx, events }: { c: Condition & { kind: 'performed' }; ctx: Ctx; events: string[] }) {
  const cid = `cond-${c.id}`;
  const set = (patch: Partial<Condition & { kind: 'performed' }>) => ctx.change(c.id, (x) => ({ ...x, ...patch }) as Condition);
  const listId = `${cid}-events`;
  return (
    <>
      <select id={`${cid}-type`} aria-label="Event type" value={c.type} onChange={(e) => set({ type: e.target.value as EventType })}>
        <option value="track">event</option>
        <option value="page">page view</option>
        <option value="screen">screen view</option>
        <option value="any">any event</option>
      </select>
      {c.type === 'any' ? null : (
        <>
          <input
            id={`${cid}-event`}
            className="event-name"
            aria-label={c.type === 'track' ? 'Event name' : c.type === 'page' ? 'Page name (optional)' : 'Screen name (optional)'}
            list={c.type === 'track' ? listId : undefined}
            value={c.event}
            placeholder={c.type === 'track' ? 'Order Completed' : 'any'}
            autoComplete="off"
            onChange={(e) => set({ event: e.target.value })}
          />
          {c.type === 'track' ? (
            <datalist id={listId}>
              {events.map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
          ) : null}
        </>
      )}
      <select id={`${cid}-count-op`} aria-label="How many times" value={c.countOp} onChange={(e) => set({ countOp: e.target.value as CountOp | 'once' })}>
        <option value="once">at least once</option>
        <option value="at_least">at least</option>
        <option value="at_most">at most</option>
        <option value="exactly">exactly</option>
      </select>
      {c.countOp === 'once' ? null : (
        <>
          <input id={`${cid}-count`} aria-label="Number of times" className="num-input" inputMode="numeric" value={c.count} onChange={(e) => set({ count: e.target.value })} />
          <span className="muted">times</span>
        </>
      )}
      <span className="not-toggle">
        <input id={`${cid}-windowed`} type="checkbox" checked={c.windowed} onChange={(e) => set({ windowed: e.target.checked })} />
        <label htmlFor={`${cid}-windowed`}>within the last</label>
      </span>
      {c.windowed ? (
        <>
          <input id={`${cid}-within`} aria-label="Window length" className="num-input" inputMode="numeric" value={c.within} onChange={(e) => set({ within: e.target.value })} />
          <select id={`${cid}-unit`} aria-label="Window unit" value={c.unit} onChange={(e) => set({ unit: e.target.value as Unit })}>
            {UNITS.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </>
      ) : (
        <span className="muted small">(ever)</span>
      )}
    </>
  );
}

function WhereRows({ c, ctx }: { c: Condition & { kind: 'performed' }; ctx: Ctx }) {
  const setRow = (rowId: number, patch: Partial<WhereRow>) =>
    ctx.change(c.id, (x) => (x.kind === 'performed' ? { ...x, where: x.where.map((w) => (w.id === rowId ? { ...w, ...patch } : w)) } : x));
  const removeRow = (rowId: number) => ctx.change(c.id, (x) => (x.kind === 'performed' ? { ...x, where: x.where.filter((w) => w.id !== rowId) } : x));
  return (
    <div className="where-rows">
      {c.where.map((w, i) => {
        const wid = `where-${w.id}`;
        return (
          <div key={w.id} className="cond-row">
            <span className="muted">{i === 0 ? 'where' : 'and'}</span>
            <input
              id={`${wid}-path`}
              aria-label="Event property"
              className="path"
              value={w.path}
              placeholder="revenue"
              spellCheck={false}
              autoComplete="off"
              onChange={(e) => setRow(w.id, { path: e.target.value })}
            />
            <OpSelect id={`${wid}-op`} label="Property comparison" value={w.op} onChange={(op) => setRow(w.id, { op })} />
            {w.op === 'exists' || w.op === 'not_exists' ? null : (
              <input id={`${wid}-value`} aria-label="Property value" title={VALUE_HELP} value={w.value} placeholder="50" onChange={(e) => setRow(w.id, { value: e.target.value })} />
            )}
            <button type="button" className="small secondary" onClick={() => removeRow(w.id)} aria-label="Remove this property filter">
              Remove
            </button>
            <ProblemsFor id={w.id} ctx={ctx} />
          </div>
        );
      })}
      {c.where.length < 16 ? (
        <button type="button" className="small secondary" onClick={() => ctx.change(c.id, (x) => (x.kind === 'performed' ? { ...x, where: [...x.where, newWhereRow()] } : x))}>
          Add property filter
        </button>
      ) : null}
    </div>
  );
}

function ProblemsFor({ id, ctx }: { id: number; ctx: Ctx }) {
  return <Problems list={ctx.problemsOf.get(id)} id={`where-${id}-problems`} />;
}
