// A KPI or term linked to its glossary entry, with the entry's one-line explanation as the
// tooltip, so no jargon is shown without a way to learn it.
import type { ReactNode } from 'react';
import { glossaryEntry, glossaryHref } from '../glossary';

export function Term({ id, children }: { id: string; children?: ReactNode }) {
  const entry = glossaryEntry(id);
  return (
    <a className="term" href={glossaryHref(id)} title={entry?.short}>
      {children ?? entry?.term ?? id}
    </a>
  );
}
