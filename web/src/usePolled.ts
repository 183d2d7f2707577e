// A small hook for "load something and keep it fresh": runs `load` when `deps` change, again
// `everyMs` after each answer (null: only on refresh()), and keeps showing the last answer while
// a refresh runs or after one fails (the error is given beside it). Aborts on unmount.
import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { asApiError, type ApiError } from './errors';

export interface Polled<T> {
  data: T | null; // the last answer
  error: ApiError | null; // the last attempt's error, if it failed
  loading: boolean; // a request is running
  at: number | null; // when `data` arrived (ms)
  refresh: () => void;
}

export function usePolled<T>(load: (signal: AbortSignal) => Promise<T>, everyMs: number | null, deps: DependencyList): Polled<T> {
  const [state, setState] = useState<Omit<Polled<T>, 'refresh'>>({ data: null, error: null, loading: true, at: null });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    let timer: number | undefined;
    const run = () => {
      setState((s) => ({ ...s, loading: true }));
      loadRef
        .current(controller.signal)
        .then((data) => {
          if (!controller.signal.aborted) setState({ data, error: null, loading: false, at: Date.now() });
        })
        .catch((err: unknown) => {
          if (!controller.signal.aborted) setState((s) => ({ ...s, error: asApiError(err), loading: false }));
        })
        .finally(() => {
          if (!controller.signal.aborted && everyMs !== null) timer = window.setTimeout(run, everyMs);
        });
    };
    run();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, everyMs, generation]);

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, refresh };
}
