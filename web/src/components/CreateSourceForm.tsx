// The one form that creates a source (POST /api/v1/sources, admin only): a name, then
// `onCreated` with the new source and its write key, which the server shows only this once.
// The source lists are refreshed; a refusal (a taken or invalid name) shows the server's reason.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { asApiError, type ApiError } from '../errors';
import { invalidateSources } from '../useSources';
import { ErrorNotice } from './ErrorNotice';

export interface CreatedSource {
  id: string;
  name: string;
  writeKey: string;
}

export function CreateSourceForm({
  inputId,
  label,
  initialName = '',
  onCreated,
}: {
  inputId: string;
  label: string;
  initialName?: string;
  onCreated: (s: CreatedSource) => void;
}) {
  const [name, setName] = useState(initialName);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await api.createSource(name.trim());
      invalidateSources();
      setName(initialName);
      onCreated(s);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create a source">
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} value={name} onChange={(e) => setName(e.target.value)} placeholder="website" required />
      <button type="submit" disabled={busy || name.trim() === ''}>
        {busy ? 'Creating…' : 'Create source'}
      </button>
      {error ? <ErrorNotice error={error} title="The source was not created." /> : null}
    </form>
  );
}
