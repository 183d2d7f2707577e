// One import as it runs and ends: a progress bar of the file read with rows, rate and time left,
// then the summary (imported, rejected) or the reason it failed, and the rejected rows to save
// (GET /api/v1/imports/{id}/rejects, fetched with the token and handed over as a file).
import { useState } from 'react';
import { api } from '../../api';
import { fractionRead, rateText, rejectsFileName, STATE_LABELS, summaryText } from '../../connections/imports';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Term } from '../../components/Term';
import { asApiError, type ApiError } from '../../errors';
import { formatNumber, formatPercent } from '../../format';
import type { ImportJob } from '../../types';

export function ImportProgress({ job, pollError }: { job: ImportJob; pollError?: ApiError | null }) {
  const fraction = fractionRead(job);
  const rate = rateText(job);
  return (
    <div className={`import-progress state-${job.state}`} id={`import-${job.id}`}>
      <p className="import-head">
        <strong>{job.fileName}</strong> into <strong>{job.source}</strong>: <span className="import-state">{STATE_LABELS[job.state] ?? job.state}</span>
      </p>
      <div className="progress-row">
        <progress max={1} value={fraction ?? undefined} aria-label={`${job.fileName} read`} />
        <span className="progress-figures" aria-live="polite">
          {fraction === null ? 'starting…' : formatPercent(fraction)} · {formatNumber(job.rowsRead, 0)} rows{rate ? ` · ${rate}` : ''}
        </span>
      </div>
      {job.waiting ? <p className="muted small">Waiting to retry: {job.waiting}</p> : null}
      {job.state === 'done' || job.state === 'failed' ? (
        <div role="status" className="import-summary">
          <span>{summaryText(job)}.</span>
          {job.rowsRejected > 0 ? (
            <>
              <span className="muted small">
                (<Term id="rejected-rows">why rows are rejected</Term>)
              </span>
              <RejectsLink job={job} />
            </>
          ) : null}
        </div>
      ) : null}
      {job.state === 'failed' && job.error ? (
        <p className="field-problem" role="alert">
          The import stopped: {job.error}
        </p>
      ) : null}
      {pollError ? <ErrorNotice error={pollError} title="The import's progress could not be read." /> : null}
    </div>
  );
}

/** A button that fetches the rejected rows with the token and saves them as a file. */
export function RejectsLink({ job }: { job: ImportJob }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const blob = await api.importRejects(job.id);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = rejectsFileName(job.fileName);
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="secondary small" onClick={() => void download()} disabled={busy}>
        {busy ? 'Fetching…' : `Save the ${formatNumber(job.rowsRejected, 0)} rejected rows`}
      </button>
      {error ? <ErrorNotice error={error} title="The rejected rows could not be fetched." /> : null}
    </>
  );
}
