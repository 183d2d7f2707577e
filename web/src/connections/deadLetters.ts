// Dead letters (GET /api/v1/destinations/{name}/dead-letters, docs/destinations.md): why each one
// failed in a line and the body of a replay (POST …/dead-letters/replay takes {"ids":[…]} or
// {"all":true}); payloads are pretty-printed by ../payload.ts.
import type { DeadLetter } from '../types';

export type ReplayBody = { ids: number[] } | { all: true };

/** The replay request for "all" or the selected ids; null when nothing is selected. */
export function replayBody(selection: 'all' | Iterable<number>): ReplayBody | null {
  if (selection === 'all') return { all: true };
  const ids = [...new Set(selection)].filter((id) => Number.isInteger(id) && id >= 0).sort((a, b) => a - b);
  return ids.length ? { ids } : null;
}

/** "HTTP 400", "no answer" — the status part of a letter's reason. */
export function statusText(letter: Pick<DeadLetter, 'lastStatus'>): string {
  return typeof letter.lastStatus === 'number' ? `HTTP ${letter.lastStatus}` : 'no answer';
}

/** Why the letter was given up, in a sentence. */
export function reasonText(letter: Pick<DeadLetter, 'lastStatus' | 'lastError' | 'attempts'>): string {
  const error = typeof letter.lastError === 'string' && letter.lastError !== '' ? letter.lastError : statusText(letter);
  const attempts = typeof letter.attempts === 'number' ? letter.attempts : null;
  const tries = attempts === null ? '' : ` after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  const status = letter.lastStatus;
  const why =
    typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429
      ? ' — the receiver refused it; retrying would not help until it is fixed'
      : '';
  return `${error}${tries}${why}`;
}

/** The selection after the list changed: only ids still listed stay selected. */
export function keepSelected(selected: ReadonlySet<number>, letters: ReadonlyArray<Pick<DeadLetter, 'id'>>): Set<number> {
  const listed = new Set(letters.map((l) => l.id));
  return new Set([...selected].filter((id) => listed.has(id)));
}

/** "Replayed 2 dead letters: they are back at the end of the queue." */
export function replayedText(replayed: unknown, asked: number | 'all'): string {
  const n = typeof replayed === 'number' ? replayed : 0;
  if (n === 0) return 'Nothing was replayed: those dead letters are gone already (refresh the list).';
  const what = `${n} dead letter${n === 1 ? '' : 's'}`;
  const missing = asked !== 'all' && asked > n ? ` (${asked - n} no longer existed)` : '';
  return `Replayed ${what}${missing}: back at the end of the queue, with fresh attempts.`;
}
