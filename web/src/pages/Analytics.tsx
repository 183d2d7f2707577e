// Analytics: questions over the events themselves, each one POST /api/v1/query (docs/queries.md)
// — trends (how much per day or week, split by a property), funnels (who goes through ordered
// steps), retention (who comes back) and paths (what they do after or before an event); each
// answer can be saved to a dashboard. The tabs are links (`#/analytics/<tab>`); the period
// and every tab's choices stay while moving between them. One `events` discovery query per
// period fills the event pickers; only the open tab asks its question.
import { useMemo, useState } from 'react';
import {
  ANALYTICS_PRESETS,
  eventsSpec,
  readEvents,
  type FunnelPicker,
  type PathsPicker,
  type RetentionPicker,
  type TrendsPicker,
} from '../analytics/specs';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { PeriodPicker } from '../components/PeriodPicker';
import { TabNav } from '../components/TabNav';
import { api } from '../api';
import { describePeriod, resolvePeriod, type PeriodChoice } from '../insights/specs';
import { lastDays } from '../overviewQuery';
import { ANALYTICS_TABS, href, type AnalyticsTab } from '../router';
import { useAsync } from '../useAsync';
import { FunnelTab } from './analytics/FunnelTab';
import { PathsTab } from './analytics/PathsTab';
import { RetentionTab } from './analytics/RetentionTab';
import { TrendsTab } from './analytics/TrendsTab';

const TABS: Record<AnalyticsTab, { tab: string; title: string }> = {
  trends: { tab: 'Trends', title: 'Trends' },
  funnel: { tab: 'Funnel', title: 'Funnel' },
  retention: { tab: 'Retention', title: 'Retention' },
  paths: { tab: 'Paths', title: 'Paths' },
};

export function Analytics({ tab }: { tab?: AnalyticsTab }) {
  const current: AnalyticsTab = tab ?? ANALYTICS_TABS[0];
  const [period, setPeriod] = useState<PeriodChoice>({ kind: 'last', days: 30 });
  const range = useMemo(() => {
    const r = resolvePeriod(period, Date.now());
    return r.ok ? r.value : lastDays(Date.now(), 30);
  }, [period]);
  const discovery = useAsync((signal) => api.query<unknown>(eventsSpec(range), signal), [range.from, range.to]);
  const events = useMemo(() => (discovery.status === 'ok' ? readEvents(discovery.data) : []), [discovery.status, discovery.data]);

  // Every tab's choices, kept here so that they survive moving between the tabs.
  const [trends, setTrends] = useState<TrendsPicker>({ event: '', measure: 'count', property: '', interval: 'day', breakdown: '' });
  const [funnel, setFunnel] = useState<FunnelPicker>({ steps: [], windowDays: 7 });
  const [retention, setRetention] = useState<RetentionPicker>({ start: '', ret: '', interval: 'week', periods: 8 });
  const [paths, setPaths] = useState<PathsPicker>({ event: '', direction: 'after', steps: 4, limit: 10, collapse: true });
  const periodText = describePeriod(period);
  const common = { range, period: periodText, choice: period, events };

  return (
    <>
      <header className="page-header">
        <h1>Analytics</h1>
      </header>
      <TabNav
        label="Analytics"
        current={current}
        tabs={ANALYTICS_TABS.map((t) => ({ key: t, href: href({ page: 'analytics', tab: t }), label: TABS[t].tab }))}
      />
      <section className="insight" aria-labelledby="analytics-title">
        <h2 id="analytics-title">{TABS[current].title}</h2>
        <div className="toolbar controls">
          <PeriodPicker id="an" value={period} onChange={setPeriod} presets={ANALYTICS_PRESETS} />
        </div>
        {discovery.status === 'loading' ? (
          <Loading what={`the events of ${periodText}`} />
        ) : discovery.status === 'error' ? (
          <ErrorNotice error={discovery.error} onRetry={discovery.reload} title="The events of this period could not be listed." />
        ) : events.length === 0 ? (
          <Empty title={`No events in ${periodText}.`}>
            <p>
              Widen the period above, or send events: the <a href="#/overview">Overview</a> shows how (a curl command, or{' '}
              <em>Send test event</em>), and <a href="#/events">Live events</a> shows what arrives.
            </p>
          </Empty>
        ) : current === 'trends' ? (
          <TrendsTab {...common} picker={trends} onPicker={setTrends} />
        ) : current === 'funnel' ? (
          <FunnelTab {...common} picker={funnel} onPicker={setFunnel} />
        ) : current === 'retention' ? (
          <RetentionTab {...common} picker={retention} onPicker={setRetention} />
        ) : (
          <PathsTab {...common} picker={paths} onPicker={setPaths} />
        )}
      </section>
    </>
  );
}
