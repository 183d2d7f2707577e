// Analytics › Paths: one `paths` query — an event, whether to follow what customers did after it
// (`start`) or before it (`end`), how many steps, how many flows to keep per step, and whether
// the same event several times in a row counts once — drawn by PathsView (a Sankey and its flow
// table), with "Save to dashboard" under the answer.
import { readPaths } from '../../analytics/paths';
import { PATH_LIMIT_CHOICES, PATH_STEP_CHOICES, pathsSpec, type PathsPicker } from '../../analytics/specs';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { Term } from '../../components/Term';
import { EventSelect, type AnalyticsTabProps } from './EventSelect';
import { PathsView } from './PathsView';
import { SaveToDashboard } from './SaveToDashboard';
import { useSpecQuery } from './useSpecQuery';

export function PathsTab({ range, period, choice, events, picker, onPicker }: AnalyticsTabProps<PathsPicker>) {
  // Until one is picked, the most frequent event of the period.
  const effective: PathsPicker = { ...picker, event: picker.event || events[0]?.name || '' };
  const spec = pathsSpec(range, effective, events);
  const state = useSpecQuery(spec);
  const set = (patch: Partial<PathsPicker>) => onPicker({ ...effective, ...patch });

  return (
    <>
      <p className="muted">
        What customers did right after an event, or just before it, step by step: the <Term id="paths">paths</Term> drawn as a{' '}
        <Term id="sankey">Sankey chart</Term>.
      </p>
      <form className="inline-form controls" onSubmit={(e) => e.preventDefault()} aria-label="Paths">
        <label htmlFor="pa-direction">Show what customers did</label>
        <select id="pa-direction" value={effective.direction} onChange={(e) => set({ direction: e.target.value === 'before' ? 'before' : 'after' })}>
          <option value="after">after</option>
          <option value="before">before</option>
        </select>
        <EventSelect id="pa-event" label="the event" hiddenLabel value={effective.event} events={events} onChange={(name) => set({ event: name })} />
        <label htmlFor="pa-steps">for</label>
        <select id="pa-steps" value={effective.steps} onChange={(e) => set({ steps: Number(e.target.value) })}>
          {PATH_STEP_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n} steps
            </option>
          ))}
        </select>
        <label htmlFor="pa-limit">largest flows kept per step</label>
        <select id="pa-limit" value={effective.limit} onChange={(e) => set({ limit: Number(e.target.value) })}>
          {PATH_LIMIT_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <span className="checkbox">
          <input id="pa-collapse" type="checkbox" checked={effective.collapse} onChange={(e) => set({ collapse: e.target.checked })} />
          <label htmlFor="pa-collapse">the same event in a row counts once</label>
        </span>
      </form>
      {!spec.ok ? (
        <Empty title={spec.problem} />
      ) : state.status === 'loading' ? (
        <Loading what="the paths" />
      ) : state.status === 'error' ? (
        <ErrorNotice error={state.error} onRetry={state.reload} title="The paths could not be computed." />
      ) : state.data ? (
        <>
          <PathsView data={readPaths(state.data)} picker={effective} period={period} />
          <SaveToDashboard query={spec.value} period={choice} />
        </>
      ) : null}
    </>
  );
}
