// Insights: the KPI models of docs/kpis.md, one section per tab — customer lifetime value, RFM,
// attribution and channel ROI — each from its documented route (POST /api/v1/insights/{kind}),
// readable by every role. The tabs are links (`#/insights/<section>`), so Back, bookmarks and the
// keyboard work as for any page; only the open section asks the server. Attribution and ROI share
// the period picked, which stays while moving between the tabs.
import { useMemo, useState } from 'react';
import { TabNav } from '../components/TabNav';
import { lastDays } from '../overviewQuery';
import { INSIGHT_SECTIONS, href, type InsightSection } from '../router';
import { resolvePeriod, type PeriodChoice } from '../insights/specs';
import { AttributionSection } from './insights/AttributionSection';
import { ClvSection } from './insights/ClvSection';
import { RfmSection } from './insights/RfmSection';
import { RoiSection } from './insights/RoiSection';

const SECTIONS: Record<InsightSection, { tab: string; title: string }> = {
  clv: { tab: 'Lifetime value', title: 'Customer lifetime value' },
  rfm: { tab: 'RFM', title: 'RFM segments' },
  attribution: { tab: 'Attribution', title: 'Attribution' },
  roi: { tab: 'Channel ROI', title: 'Channel ROI' },
};


export function Insights({ section }: { section?: InsightSection }) {
  const current: InsightSection = section ?? INSIGHT_SECTIONS[0];
  const [period, setPeriod] = useState<PeriodChoice>({ kind: 'last', days: 30 });
  // The picker only hands over valid periods; "last N days" is counted from when it was picked.
  const range = useMemo(() => {
    const r = resolvePeriod(period, Date.now());
    return r.ok ? r.value : lastDays(Date.now(), 30);
  }, [period]);
  return (
    <>
      <header className="page-header">
        <h1>Insights</h1>
      </header>
      <TabNav
        label="Insights"
        current={current}
        tabs={INSIGHT_SECTIONS.map((s) => ({ key: s, href: href({ page: 'insights', section: s }), label: SECTIONS[s].tab }))}
      />
      <section className="insight" aria-labelledby="insight-title">
        <h2 id="insight-title">{SECTIONS[current].title}</h2>
        {current === 'clv' ? <ClvSection /> : null}
        {current === 'rfm' ? <RfmSection /> : null}
        {current === 'attribution' ? <AttributionSection period={period} range={range} onPeriod={setPeriod} /> : null}
        {current === 'roi' ? <RoiSection period={period} range={range} onPeriod={setPeriod} /> : null}
      </section>
    </>
  );
}
