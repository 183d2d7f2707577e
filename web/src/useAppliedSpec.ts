// A settings form whose spec is sent when submitted: the answer for the spec applied last
// (starting with `{}`), the problem of a spec that could not be built, and `apply`, which sends
// a new spec or, when it is the same as the last one, asks again.
import { useState } from 'react';
import type { Checked } from './insights/specs';
import { useAsync } from './useAsync';

type Spec = Record<string, unknown>;

export function useAppliedSpec<T>(load: (spec: Spec, signal: AbortSignal) => Promise<T>) {
  const [applied, setApplied] = useState<Spec>({});
  const [problem, setProblem] = useState('');
  const key = JSON.stringify(applied);
  const state = useAsync((signal) => load(applied, signal), [key]);
  const apply = (spec: Checked<Spec>) => {
    if (!spec.ok) {
      setProblem(spec.problem);
      return;
    }
    setProblem('');
    if (JSON.stringify(spec.value) === key) state.reload();
    else setApplied(spec.value);
  };
  return { state, problem, apply };
}
