// The import form (admin, marketer): a source, a file (CSV or JSON Lines) and its mapping — TOML
// in an editable textarea, started from one of the examples/ templates (picking a sample file
// suggests its own). Import = POST /api/v1/imports (a refusal naming the mapping's line points at
// it), then PUT …/{id}/data with the file; the import's progress then shows under the form.
import { useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../../api';
import { checkImportForm, lineRange, lineText, mappingLine, suggestTemplate } from '../../connections/imports';
import { MAPPING_TEMPLATES } from '../../connections/mappingTemplates';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Term } from '../../components/Term';
import { asApiError, type ApiError } from '../../errors';
import { formatBytes } from '../../format';
import type { ImportJob, Source } from '../../types';
import { ImportProgress } from './ImportProgress';
import { useImportJob } from './useImportJob';
import { FieldProblem } from '../../components/FieldProblem';

type Phase = { kind: 'idle' } | { kind: 'creating' } | { kind: 'uploading'; name: string; size: number } | { kind: 'started'; job: ImportJob };

export function ImportForm({ sources, onFinished }: { sources: readonly Source[]; onFinished: () => void }) {
  const id = useId();
  const [source, setSource] = useState(sources[0]?.name ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [template, setTemplate] = useState(MAPPING_TEMPLATES[0].id);
  const [mapping, setMapping] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [problem, setProblem] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const busy = phase.kind === 'creating' || phase.kind === 'uploading';

  const applyTemplate = (tid: string) => {
    const t = MAPPING_TEMPLATES.find((x) => x.id === tid);
    if (t) setMapping(t.text);
  };
  const pickFile = (f: File | null) => {
    setFile(f);
    const suggested = f ? suggestTemplate(f.name, MAPPING_TEMPLATES) : null;
    if (suggested) setTemplate(suggested);
    // An empty mapping starts from the file's template.
    if (mapping.trim() === '' && suggested) applyTemplate(suggested);
  };
  const showLine = (n: number) => {
    const [start, end] = lineRange(mapping, n);
    area.current?.focus();
    area.current?.setSelectionRange(start, end);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = checkImportForm({ source, file, mapping });
    setError(null);
    if (!checked.ok || !file) return setProblem(checked.ok ? '' : checked.problem);
    setProblem('');
    setPhase({ kind: 'creating' });
    try {
      const created = await api.createImport(checked.value);
      setPhase({ kind: 'uploading', name: file.name, size: file.size });
      const started = await api.uploadImport(created.id, file);
      setPhase({ kind: 'started', job: started });
    } catch (err) {
      setError(asApiError(err));
      setPhase({ kind: 'idle' });
    }
  };

  const line = mappingLine(error?.message);
  return (
    <>
      <form className="import-form" onSubmit={(e) => void submit(e)} aria-label="Import a file">
        <div className="import-fields">
          <div className="field">
            <label htmlFor={`${id}-source`}>Into source</label>
            <select id={`${id}-source`} value={source} onChange={(e) => setSource(e.target.value)}>
              {sources.map((s) => (
                <option key={s.id} value={s.name}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="import-file">File (CSV or JSON Lines, up to 256 MB)</label>
            <input id="import-file" type="file" accept=".csv,.tsv,.txt,.jsonl,.ndjson,.json,.gz" onChange={(e) => pickFile(e.target.files?.[0] ?? null)} />
          </div>
          <div className="field">
            <label htmlFor="import-template">Template</label>
            <div className="inline-form tight">
              <select id="import-template" value={template} onChange={(e) => setTemplate(e.target.value)}>
                {MAPPING_TEMPLATES.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.label}
                  </option>
                ))}
              </select>
              <button type="button" className="secondary" onClick={() => applyTemplate(template)}>
                Use template
              </button>
            </div>
          </div>
        </div>
        <label htmlFor="import-mapping">
          <Term id="import-mapping">Mapping</Term> (TOML: how each row becomes an event)
        </label>
        <textarea
          id="import-mapping"
          ref={area}
          value={mapping}
          onChange={(e) => setMapping(e.target.value)}
          rows={14}
          spellCheck={false}
          aria-invalid={line !== null ? true : undefined}
          aria-describedby={`${id}-help`}
          placeholder="Pick a template above, or write the mapping: docs/import.md describes every key."
        />
        <p id={`${id}-help`} className="muted small">
          Every key is checked before a row is read; a mistake names its line. The format is in docs/import.md; the templates are the mappings of
          examples/ (the sample files beside them import as they are).
        </p>
        <div className="inline-form">
          <button type="submit" id="import-start" disabled={busy}>
            {phase.kind === 'creating' ? 'Checking the mapping…' : phase.kind === 'uploading' ? 'Sending the file…' : 'Import'}
          </button>
          {file ? <span className="muted small">{file.name}, {formatBytes(file.size)}</span> : null}
        </div>
        <FieldProblem problem={problem} />
        {error ? (
          <div className="mapping-error">
            <ErrorNotice error={error} title={line !== null ? `The mapping has a mistake on line ${line}.` : 'The import did not start.'} />
            {line !== null ? (
              <p>
                Line {line}: <code>{lineText(mapping, line) || '(empty)'}</code>{' '}
                <button type="button" className="secondary small" onClick={() => showLine(line)}>
                  Show line {line}
                </button>
              </p>
            ) : null}
          </div>
        ) : null}
      </form>
      {phase.kind === 'uploading' ? (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Sending {phase.name} ({formatBytes(phase.size)})…
        </p>
      ) : null}
      {phase.kind === 'started' ? <StartedImport key={phase.job.id} job={phase.job} mapping={mapping} onShowLine={showLine} onFinished={onFinished} /> : null}
    </>
  );
}

function StartedImport({ job, mapping, onShowLine, onFinished }: { job: ImportJob; mapping: string; onShowLine: (n: number) => void; onFinished: () => void }) {
  const { job: now, error } = useImportJob(job, onFinished);
  const line = now.state === 'failed' ? mappingLine(now.error) : null;
  return (
    <section className="card" aria-label={`Import of ${job.fileName}`}>
      <ImportProgress job={now} pollError={error} />
      {line !== null ? (
        <p>
          The mapping's line {line}: <code>{lineText(mapping, line) || '(empty)'}</code>{' '}
          <button type="button" className="secondary small" onClick={() => onShowLine(line)}>
            Show line {line}
          </button>
        </p>
      ) : null}
    </section>
  );
}
