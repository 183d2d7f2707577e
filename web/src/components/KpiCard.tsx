// One KPI on the Overview: its name (linked to the glossary), the figure for the whole range,
// a line under it, and a sparkline of the days. ECharts is loaded on first use, in its own
// chunk, so that signing in does not wait for it.
import { lazy, Suspense, type ReactNode } from 'react';
import type { SparkPoint } from './Sparkline';
import { Term } from './Term';

const Sparkline = lazy(() => import('./Sparkline').then((m) => ({ default: m.Sparkline })));

export function KpiCard({
  glossaryId,
  label,
  value,
  fullValue,
  detail,
  points,
  format,
  description,
}: {
  glossaryId: string;
  label: string;
  value: string;
  fullValue?: string; // the exact figure, for the tooltip when `value` is compact
  detail?: ReactNode;
  points?: SparkPoint[];
  format?: (v: number | null) => string;
  description?: string;
}) {
  return (
    <section className="card kpi" aria-label={label}>
      <h3 className="kpi-label">
        <Term id={glossaryId}>{label}</Term>
      </h3>
      <p className="kpi-value" title={fullValue}>
        {value}
      </p>
      {detail ? <p className="kpi-detail">{detail}</p> : null}
      {points && format ? (
        <Suspense fallback={<div className="sparkline" aria-hidden="true" />}>
          <Sparkline points={points} format={format} description={description ?? label} />
        </Suspense>
      ) : null}
    </section>
  );
}
