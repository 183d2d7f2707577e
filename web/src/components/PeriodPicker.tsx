// The period of the attribution and ROI sections and of the Analytics page: the last 30, 90 or
// 180 days (or the `presets` given, e.g. 7, 30, 90; applied at once),
// or two calendar days (applied with the button, after insights/specs.ts has checked them).
import { useState, type FormEvent } from 'react';
import { PRESET_DAYS, isoDay, periodFromPicker, resolvePeriod, type PeriodChoice } from '../insights/specs';
import { FieldProblem } from './FieldProblem';

const BETWEEN = 'between';

export function PeriodPicker({
  id,
  value,
  onChange,
  presets = PRESET_DAYS,
}: {
  id: string;
  value: PeriodChoice;
  onChange: (p: PeriodChoice) => void;
  presets?: readonly number[];
}) {
  const [mode, setMode] = useState<string>(value.kind === 'last' ? String(value.days) : BETWEEN);
  const [from, setFrom] = useState(value.kind === 'between' ? value.from : isoDay(Date.now() - 29 * 86_400_000));
  const [to, setTo] = useState(value.kind === 'between' ? value.to : isoDay(Date.now()));
  const [problem, setProblem] = useState('');

  const pick = (next: string) => {
    setMode(next);
    setProblem('');
    const choice = periodFromPicker(next, from, to, presets);
    if (choice.kind === 'last') onChange(choice);
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const choice = periodFromPicker(BETWEEN, from, to, presets);
    const checked = resolvePeriod(choice, Date.now());
    if (!checked.ok) {
      setProblem(checked.problem);
      return;
    }
    setProblem('');
    onChange(choice);
  };

  return (
    <form className="inline-form period" onSubmit={apply} aria-label="Period">
      <label htmlFor={`${id}-period`}>Period</label>
      <select id={`${id}-period`} value={mode} onChange={(e) => pick(e.target.value)}>
        {presets.map((d) => (
          <option key={d} value={d}>
            last {d} days
          </option>
        ))}
        <option value={BETWEEN}>between two days…</option>
      </select>
      {mode === BETWEEN ? (
        <>
          <label htmlFor={`${id}-from`}>from</label>
          <input id={`${id}-from`} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          <label htmlFor={`${id}-to`}>to</label>
          <input id={`${id}-to`} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          <button type="submit">Apply</button>
        </>
      ) : null}
      <FieldProblem problem={problem} />
    </form>
  );
}
