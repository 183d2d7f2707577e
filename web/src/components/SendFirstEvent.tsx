// The way out of an empty workspace: a curl command that sends an event, and — for the roles
// that may — creating a source to get its write key (admin: POST /api/v1/sources) and sending
// a test event from the console (admin, marketer: POST /api/v1/sources/{source}/batch).
import { useState } from 'react';
import { api } from '../api';
import { ApiError, asApiError } from '../errors';
import { can } from '../roles';
import { useSession } from '../session';
import { useAsync } from '../useAsync';
import { CodeBlock } from './CodeBlock';
import { CreateSourceForm } from './CreateSourceForm';
import { ErrorNotice } from './ErrorNotice';

function curlSnippet(origin: string, key: string): string {
  return [
    `curl -u "${key}:" ${origin}/v1/track \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '{"userId":"u42","event":"Order Completed","properties":{"revenue":59.90,"currency":"EUR"}}'`,
  ].join('\n');
}

export function SendFirstEvent({ onSent }: { onSent?: () => void }) {
  const { role } = useSession();
  const [created, setCreated] = useState<{ name: string; writeKey: string } | null>(null);
  const key = created?.writeKey ?? '$WRITE_KEY';
  return (
    <div className="send-first">
      <p>
        Any Segment or RudderStack SDK works when pointed at this server; or, from a terminal, with a source&apos;s write
        key:
      </p>
      <CodeBlock label="curl command that sends an event" code={curlSnippet(window.location.origin, key)} />
      {created ? (
        <p className="notice notice-info" role="status">
          Source <strong>{created.name}</strong> created. Its write key is in the command above and is shown{' '}
          <strong>only now</strong>: copy it into your website&apos;s or app&apos;s settings.
        </p>
      ) : can(role, 'sources.create') ? (
        <CreateSourceForm inputId="source-name" label="Create a source to get its write key:" initialName="website" onCreated={setCreated} />
      ) : (
        <p>
          No write key? Ask an admin to create a source for you (<code>rapport admin source create web --data DIR</code>
          prints its key).
        </p>
      )}
      {can(role, 'events.send') ? <SendTestEvent key={created?.name ?? ''} onSent={onSent} /> : null}
    </div>
  );
}

function SendTestEvent({ onSent }: { onSent?: () => void }) {
  const sources = useAsync((signal) => api.sources(signal), []);
  const [source, setSource] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (sources.status !== 'ok' || sources.data.sources.length === 0) return null;
  const list = sources.data.sources;
  const chosen = source || list[0].name;
  const send = async () => {
    setBusy(true);
    setError(null);
    setSent(false);
    try {
      await api.sendBatch(chosen, [
        { type: 'track', userId: 'console-test', event: 'Console Test Event', properties: { sentFrom: 'console' } },
      ]);
      setSent(true);
      onSent?.();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="inline-form">
      <label htmlFor="test-source">Or send a test event now into</label>
      <select id="test-source" value={chosen} onChange={(e) => setSource(e.target.value)}>
        {list.map((s) => (
          <option key={s.id} value={s.name}>
            {s.name}
          </option>
        ))}
      </select>
      <button type="button" className="secondary" onClick={send} disabled={busy}>
        {busy ? 'Sending…' : 'Send test event'}
      </button>
      {sent ? (
        <p role="status" className="small">
          Sent and stored. See it in <a href="#/events">Live events</a>; it reaches the figures here within a second
          (Refresh).
        </p>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </div>
  );
}
