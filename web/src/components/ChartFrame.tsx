// The frame of an Analytics chart: a card with its heading on the Analytics page, or, inside a
// dashboard tile (`compact`, the tile has its own heading), the bare chart labelled by `title`.
// Ids come from useId, so that several tiles of one dashboard never share one.
import { useId, type ReactNode } from 'react';

export function ChartFrame({ title, compact = false, children }: { title: string; compact?: boolean; children: ReactNode }) {
  const id = useId();
  if (compact) {
    return (
      <div className="chart-frame" role="group" aria-label={title}>
        {children}
      </div>
    );
  }
  return (
    <section className="card" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}
