// A saved POST /api/v1/query spec read back into what the Analytics views need to draw its answer
// (the tab's picker: event names, measure, interval, window…) and into a default title, so that a
// dashboard tile draws with the same views as the tab that saved it. The inverse of specs.ts's
// trendsSpec, funnelSpec, retentionSpec and pathsSpec (for the fields those write). Pure.
import {
  MEASURE_LABELS,
  TREND_MEASURES,
  type FunnelPicker,
  type Interval,
  type PathsPicker,
  type RetentionPicker,
  type TrendMeasure,
  type TrendsPicker,
} from './specs';

export type SpecView =
  | { kind: 'trends'; picker: TrendsPicker }
  | { kind: 'funnel'; picker: FunnelPicker }
  | { kind: 'retention'; picker: RetentionPicker }
  | { kind: 'paths'; picker: PathsPicker }
  | { kind: 'unknown'; name: string }; // a kind the console does not draw (the tile says so)

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function int(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) ? v : fallback;
}

function interval(v: unknown, fallback: Interval): Interval {
  return v === 'day' || v === 'week' ? v : fallback;
}

/** The event name of an event filter (`{"event": "Order Completed", "type": "track"}`). */
function eventOf(filter: unknown): string {
  return str(obj(filter).event);
}

/** What a spec asks, as the picker of the tab that draws it. */
export function readSpec(spec: unknown): SpecView {
  const s = obj(spec);
  switch (s.kind) {
    case 'trends': {
      const series = obj(Array.isArray(s.series) ? s.series[0] : undefined);
      const measure = (TREND_MEASURES as readonly unknown[]).includes(series.measure) ? (series.measure as TrendMeasure) : 'count';
      return {
        kind: 'trends',
        picker: {
          event: eventOf(series.filter),
          measure,
          property: str(series.property),
          interval: interval(s.interval, 'day'),
          breakdown: str(obj(s.breakdown).property),
        },
      };
    }
    case 'funnel':
      return {
        kind: 'funnel',
        picker: { steps: (Array.isArray(s.steps) ? s.steps : []).map(eventOf), windowDays: int(obj(s.window).days, 7) },
      };
    case 'retention':
      return {
        kind: 'retention',
        picker: { start: eventOf(s.start), ret: eventOf(s.return), interval: interval(s.interval, 'week'), periods: int(s.periods, 8) },
      };
    case 'paths': {
      const backward = s.start === undefined && s.end !== undefined;
      return {
        kind: 'paths',
        picker: {
          event: eventOf(backward ? s.end : s.start),
          direction: backward ? 'before' : 'after',
          steps: int(s.steps, 5),
          limit: int(s.limit, 20),
          collapse: s.collapse_repeats !== false,
        },
      };
    }
    default:
      return { kind: 'unknown', name: typeof s.kind === 'string' ? s.kind : '' };
  }
}

/** A title for a tile of this spec: "Funnel: Landing → Order Completed". */
export function defaultTitle(view: SpecView): string {
  switch (view.kind) {
    case 'trends': {
      const p = view.picker;
      const what = p.measure === 'sum' || p.measure === 'avg' ? `${MEASURE_LABELS[p.measure]} ${p.property}` : MEASURE_LABELS[p.measure];
      return `${what}: “${p.event}” per ${p.interval}${p.breakdown ? ` by ${p.breakdown}` : ''}`;
    }
    case 'funnel':
      return `Funnel: ${view.picker.steps.join(' → ')}`;
    case 'retention':
      return `Retention: “${view.picker.start}” then “${view.picker.ret}”`;
    case 'paths':
      return `Paths ${view.picker.direction} “${view.picker.event}”`;
    case 'unknown':
      return view.name ? `A ${view.name} query` : 'A query';
  }
}
