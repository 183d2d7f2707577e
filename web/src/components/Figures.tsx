// A row of headline figures (label linked to its glossary entry, value, one line of detail):
// lighter than the Overview's KPI cards, for the Insights page's sections.
import type { ReactNode } from 'react';
import { Term } from './Term';

export interface FigureItem {
  glossaryId: string;
  label: string;
  value: string;
  fullValue?: string; // the exact figure, for the tooltip
  detail?: ReactNode;
}

export function Figures({ items, label }: { items: FigureItem[]; label: string }) {
  return (
    <dl className="figures" aria-label={label}>
      {items.map((f) => (
        <div className="figure" key={f.label}>
          <dt>
            <Term id={f.glossaryId}>{f.label}</Term>
          </dt>
          <dd className="figure-value" title={f.fullValue}>
            {f.value}
          </dd>
          {f.detail ? <dd className="figure-detail">{f.detail}</dd> : null}
        </div>
      ))}
    </dl>
  );
}
