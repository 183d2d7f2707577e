// The builder's live preview, as small pure pieces: a debouncer with injectable timers (so tests
// can run the clock), the preview request's body for a tree, and the position a server error
// about the text form points at.
import type { AudienceNode } from './tree';

export const PREVIEW_DELAY_MS = 400;

export interface Timers {
  set: (fn: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Runs only the last function given to `call`, `delay` ms after the last call. */
export function createDebouncer(delay: number = PREVIEW_DELAY_MS, timers: Timers = realTimers) {
  let handle: unknown = null;
  return {
    call(fn: () => void): void {
      if (handle !== null) timers.clear(handle);
      handle = timers.set(() => {
        handle = null;
        fn();
      }, delay);
    },
    cancel(): void {
      if (handle !== null) timers.clear(handle);
      handle = null;
    },
    get pending(): boolean {
      return handle !== null;
    },
  };
}

/**
 * The body of POST /api/v1/audiences/preview for a tree, and a key that is the same for the
 * same question (so an unchanged audience is not asked again).
 */
export function previewRequest(tree: AudienceNode | null): { body: { tree: AudienceNode }; key: string } | null {
  if (tree === null) return null;
  const body = { tree };
  return { body, key: JSON.stringify(body) };
}

/** `line N, column M` of a server error about the text form, if it names one. */
export function errorPosition(e: { message?: string; line?: unknown; column?: unknown }): { line: number; column: number } | null {
  if (typeof e.line === 'number' && typeof e.column === 'number') return { line: e.line, column: e.column };
  const m = /^line (\d+), column (\d+):/.exec(e.message ?? '');
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}
