// An audience's status (computing, evaluating with its progress, live) as a badge.
export function StatusBadge({ status, progress }: { status: string; progress?: number }) {
  const tone = status === 'live' ? 'ok' : 'warn';
  const pct = status === 'evaluating' && typeof progress === 'number' ? ` ${Math.round(progress * 100)}%` : '';
  return <span className={`badge tone-${tone}`}>{status + pct}</span>;
}
