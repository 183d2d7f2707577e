// A JSON value, folded under a summary line; opens with Enter or Space like any disclosure.
import type { ReactNode } from 'react';

export function JsonView({ value, summary, open }: { value: unknown; summary: ReactNode; open?: boolean }) {
  return (
    <details className="json" open={open}>
      <summary>{summary}</summary>
      <pre tabIndex={0}>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
