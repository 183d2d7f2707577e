// One import's progress: GET /api/v1/imports/{id} every POLL_MS until it is done or failed (or the
// component goes away); `onFinished` is called once when it ends. A failed poll is shown and the
// next one tried again, so a server restart in the middle is said, not hidden.
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { isFinished, POLL_MS } from '../../connections/imports';
import { asApiError, type ApiError } from '../../errors';
import type { ImportJob } from '../../types';

export function useImportJob(first: ImportJob, onFinished?: (job: ImportJob) => void): { job: ImportJob; error: ApiError | null } {
  const [job, setJob] = useState(first);
  const [error, setError] = useState<ApiError | null>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;

  useEffect(() => {
    if (isFinished(first)) {
      finished.current?.(first);
      return;
    }
    const controller = new AbortController();
    let timer = 0;
    const poll = async () => {
      try {
        const next = await api.importJob(first.id, controller.signal);
        setJob(next);
        setError(null);
        if (isFinished(next)) {
          finished.current?.(next);
          return;
        }
      } catch (err) {
        if (controller.signal.aborted) return;
        const e = asApiError(err);
        setError(e);
        if (e.status === 404) return; // the server restarted: imports are kept in memory only
      }
      timer = window.setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [first]);

  return { job, error };
}
