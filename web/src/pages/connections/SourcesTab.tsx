// The Sources tab: every source (GET /api/v1/sources) with copy-paste SDK snippets pointed at this
// server; admins create one (POST /api/v1/sources), whose write key is shown once, with the
// snippets filled in. Keys are never listed again, so other snippets carry a placeholder. Admins
// and marketers also import files into a source here (ImportSection).
import { useId, useMemo, useState } from 'react';
import { api } from '../../api';
import { CodeBlock } from '../../components/CodeBlock';
import { CreateSourceForm } from '../../components/CreateSourceForm';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { buildSnippets, KEY_PLACEHOLDER, parseOrigin, type SnippetId } from '../../connections/snippets';
import { formatDateTime } from '../../format';
import { can } from '../../roles';
import { useSession } from '../../session';
import { useAsync } from '../../useAsync';
import { ImportSection } from './ImportSection';

export function SourcesTab() {
  const { role } = useSession();
  const list = useAsync((signal) => api.sources(signal), []);
  const [created, setCreated] = useState<{ id: string; name: string; writeKey: string } | null>(null);
  const mayCreate = can(role, 'sources.create');

  return (
    <>
      <p className="lead">
        A source is a website, app or server that sends events, each with its own <Term id="write-key">write key</Term>. Any
        Segment or RudderStack SDK works when pointed at this server.
      </p>
      {created ? <CreatedSource source={created} onDone={() => setCreated(null)} /> : null}
      {mayCreate ? (
        <CreateSourceForm
          inputId="new-source-name"
          label="New source"
          onCreated={(s) => {
            setCreated(s);
            list.reload();
          }}
        />
      ) : null}
      {list.status === 'loading' ? (
        <Loading what="sources" />
      ) : list.status === 'error' ? (
        <ErrorNotice error={list.error} onRetry={list.reload} title="The sources could not be listed." />
      ) : list.data.sources.length === 0 ? (
        <Empty title="No sources yet.">
          {mayCreate ? (
            <p>Create one above: its write key is shown once, with code to send events from your website or app.</p>
          ) : (
            <p>
              Ask an admin to create one (here, or <code>rapport admin source create website --data DIR</code>, which
              prints its write key).
            </p>
          )}
        </Empty>
      ) : (
        <ul className="plain-list" aria-label="Sources">
          {list.data.sources.map((s) => (
            <li key={s.id} className="card connection">
              <h3 id={`source-${s.id}`}>{s.name}</h3>
              <p className="muted small">
                <code>{s.id}</code> · created {formatDateTime(s.createdAt)}
              </p>
              <details className="snippets-details">
                <summary>SDK snippets for {s.name}</summary>
                <p className="small">
                  Put the source&apos;s write key in place of <code>{KEY_PLACEHOLDER}</code>: keys are shown only when a
                  source is created.
                </p>
                <Snippets idPrefix={`src-${s.id}`} sourceName={s.name} writeKey={created?.id === s.id ? created.writeKey : null} />
              </details>
            </li>
          ))}
        </ul>
      )}
      {list.status === 'ok' && list.data.sources.length > 0 && can(role, 'imports') ? <ImportSection sources={list.data.sources} /> : null}
    </>
  );
}

function CreatedSource({ source, onDone }: { source: { name: string; writeKey: string }; onDone: () => void }) {
  return (
    <div className="notice notice-info" role="status">
      <p className="notice-title">Source {source.name} created. Copy its write key now: it will not be shown again.</p>
      <CodeBlock label={`write key of ${source.name}`} code={source.writeKey} />
      <p className="small">Send your first event with it — the snippets below have it filled in:</p>
      <Snippets idPrefix="created" sourceName={source.name} writeKey={source.writeKey} />
      <button type="button" className="secondary" onClick={onDone}>
        I have copied the key
      </button>
    </div>
  );
}

function Snippets({ idPrefix, sourceName, writeKey }: { idPrefix: string; sourceName: string; writeKey: string | null }) {
  const id = useId();
  const origin = useMemo(() => parseOrigin(window.location.href) ?? { origin: window.location.origin, host: window.location.host, protocol: 'http' as const }, []);
  const snippets = useMemo(() => buildSnippets(origin, writeKey), [origin, writeKey]);
  const [chosen, setChosen] = useState<SnippetId>('curl');
  const snippet = snippets.find((s) => s.id === chosen) ?? snippets[0];
  const selectId = `${idPrefix}-${id}-sdk`;
  return (
    <div className="snippets">
      <div className="inline-form">
        <label htmlFor={selectId}>SDK</label>
        <select id={selectId} value={snippet.id} onChange={(e) => setChosen(e.target.value as SnippetId)}>
          {snippets.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      {snippet.install ? <CodeBlock label={`install ${snippet.label}`} code={snippet.install} /> : null}
      <CodeBlock label={`${snippet.label} code that sends events into ${sourceName}`} code={snippet.code} />
    </div>
  );
}
