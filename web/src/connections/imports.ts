// An import's progress in words (GET /api/v1/imports/{id}, docs/api.md "Imports"), as pure
// functions: the share of the file read, rows per second, the time left, the final summary,
// whether to keep asking; the mapping line a refusal names ("mapping:15: …"); the template a
// file name suggests; and the form's problems before anything is sent.
import { formatNumber, plural } from '../format';
import type { Checked } from '../insights/specs';
import type { ImportJob } from '../types';

/** How often a running import is asked for its progress. */
export const POLL_MS = 500;
/** The largest file PUT /api/v1/imports/{id}/data takes. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

export const STATE_LABELS: Record<string, string> = {
  waiting_for_data: 'waiting for its file',
  running: 'running',
  done: 'done',
  failed: 'failed',
};

/** Whether the import has ended (done or failed): nothing more to ask. */
export function isFinished(job: Pick<ImportJob, 'state'>): boolean {
  return job.state === 'done' || job.state === 'failed';
}

/** The share of the file read, 0 to 1 (1 once done), or null when the size is not known yet. */
export function fractionRead(job: Pick<ImportJob, 'state' | 'bytesRead' | 'bytesTotal'>): number | null {
  if (job.state === 'done') return 1;
  if (!job.bytesTotal || job.bytesTotal <= 0) return null;
  return Math.max(0, Math.min(1, job.bytesRead / job.bytesTotal));
}

/** 1.2 → "1.2 s", 95 → "1 min 35 s", 4000 → "1 h 7 min". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (seconds < 10) return `${formatNumber(Math.max(0, seconds), 1)} s`;
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
}

/** "2,129 rows/s · about 3 s left" while running; "" when there is nothing to say yet. */
export function rateText(job: Pick<ImportJob, 'state' | 'rowsPerSecond' | 'etaSeconds'>): string {
  if (job.state !== 'running') return '';
  const parts: string[] = [];
  if (job.rowsPerSecond > 0) parts.push(`${formatNumber(job.rowsPerSecond, 0)} rows/s`);
  if (job.etaSeconds !== null && job.etaSeconds >= 0) parts.push(`about ${formatSeconds(job.etaSeconds)} left`);
  return parts.join(' · ');
}

/** "18 rows read: 12 imported, 6 rejected". */
export function summaryText(job: Pick<ImportJob, 'rowsRead' | 'rowsImported' | 'rowsRejected'>): string {
  return `${plural(job.rowsRead, 'row')} read: ${formatNumber(job.rowsImported, 0)} imported, ${formatNumber(job.rowsRejected, 0)} rejected`;
}

/** The line of the mapping a message names ("mapping:15: …", "mapping:3:7: …"), or null. */
export function mappingLine(message: string | null | undefined): number | null {
  const m = /(?:^|\s|")mapping:(\d+)(?::\d+)?:/.exec(message ?? '');
  return m ? Number(m[1]) : null;
}

/** The text of line `n` (1-based) of the mapping, trimmed, or "". */
export function lineText(mapping: string, n: number): string {
  return (mapping.split('\n')[n - 1] ?? '').trim();
}

/** The [start, end) character offsets of line `n` (1-based), to select it in the textarea. */
export function lineRange(mapping: string, n: number): [number, number] {
  const lines = mapping.split('\n');
  const k = Math.max(1, Math.min(lines.length, n));
  const start = lines.slice(0, k - 1).reduce((sum, l) => sum + l.length + 1, 0);
  return [start, start + lines[k - 1].length];
}

/** The template for a file: the one whose sample has the file's stem ("orders (2).csv" → orders). */
export function suggestTemplate(fileName: string, templates: ReadonlyArray<{ id: string }>): string | null {
  const stem = fileName.toLowerCase().replace(/\.(csv|tsv|txt|jsonl|ndjson|json)(\.gz)?$/, '');
  const hit = templates.find((t) => stem === t.id || stem.startsWith(`${t.id} `) || stem.startsWith(`${t.id}_`) || stem.startsWith(`${t.id}-`) || stem.startsWith(`${t.id}(`));
  return hit ? hit.id : null;
}

/** What is missing before the form can be sent, or the checked request. */
export function checkImportForm(form: { source: string; file: { name: string; size: number } | null; mapping: string }): Checked<{
  source: string;
  fileName: string;
  mapping: string;
}> {
  if (form.source === '') return { ok: false, problem: 'Pick the source the events go into.' };
  if (!form.file) return { ok: false, problem: 'Choose the file to import (CSV or JSON Lines).' };
  if (form.file.size === 0) return { ok: false, problem: `${form.file.name} is empty.` };
  if (form.file.size > MAX_UPLOAD_BYTES) return { ok: false, problem: `${form.file.name} is over 256 MB: split it (by month, say) and import the parts.` };
  if (form.mapping.trim() === '') return { ok: false, problem: 'Write the mapping, or start from a template.' };
  return { ok: true, value: { source: form.source, fileName: form.file.name, mapping: form.mapping } };
}

/** "orders.csv" → "orders.rejects.jsonl", the name the command line gives the rejects file. */
export function rejectsFileName(fileName: string): string {
  const stem = fileName.replace(/\.[^.]*$/, '') || 'import';
  return `${stem}.rejects.jsonl`;
}
