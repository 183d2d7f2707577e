// The Overview's Predicted CLV card: the mean predicted lifetime value per customer and the total
// over the models' horizon (POST /api/v1/insights/clv with `{}`, as Insights › Lifetime value
// opens), or in one short line why the models cannot be fitted, with a link to that page.
import type { ReactNode } from 'react';
import { KpiCard } from '../../components/KpiCard';
import { isMissingEndpoint } from '../../errors';
import { DASH, formatCurrency, formatNumber } from '../../format';
import type { ClvCardFigures } from '../../overviewCards';
import { href } from '../../router';
import type { AsyncState } from '../../useAsync';

const INSIGHTS = href({ page: 'insights', section: 'clv' });

export function ClvCard({ state, currency }: { state: AsyncState<ClvCardFigures>; currency: string | null }) {
  const card = (value: string, detail: ReactNode, fullValue?: string) => (
    <KpiCard glossaryId="clv" label="Predicted CLV" value={value} fullValue={fullValue} detail={detail} />
  );
  if (state.status === 'loading') return card('…', 'fitting the models…');
  if (state.status === 'error') {
    const why = isMissingEndpoint(state.error) ? 'unavailable on this server' : `could not be computed: ${state.error.message}`;
    return card(DASH, <>{why} · <a href={INSIGHTS}>Insights</a></>);
  }
  const c = state.data;
  if (!c.ok) return card(DASH, <>{c.reason} <a href={INSIGHTS}>What the models need</a></>);
  return card(
    formatCurrency(c.mean, currency, true),
    <>
      per customer over {formatNumber(c.horizonMonths, 0)} months; {formatCurrency(c.total, currency, true)} for{' '}
      {c.customers !== null ? `all ${formatNumber(c.customers, 0)}` : 'all'} customers · <a href={INSIGHTS}>details</a>
    </>,
    formatCurrency(c.mean, currency),
  );
}
