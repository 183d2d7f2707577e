// Any saved Analytics question's answer drawn by the view of the tab that asks it (TrendView,
// FunnelView, RetentionView, PathsView), the picker read back from the spec — what a dashboard
// tile shows. A kind the console does not draw says so instead.
import { readSpec } from '../../analytics/fromSpec';
import { readFunnel } from '../../analytics/funnel';
import { readPaths } from '../../analytics/paths';
import { readRetention } from '../../analytics/retention';
import { readTrends } from '../../analytics/trends';
import { Empty } from '../../components/Empty';
import { FunnelView } from './FunnelView';
import { PathsView } from './PathsView';
import { RetentionView } from './RetentionView';
import { TrendView } from './TrendView';

export function AnswerView({ spec, answer, period, compact = false }: { spec: unknown; answer: unknown; period: string; compact?: boolean }) {
  const view = readSpec(spec);
  switch (view.kind) {
    case 'trends':
      return <TrendView data={readTrends(answer)} picker={view.picker} period={period} compact={compact} />;
    case 'funnel':
      return <FunnelView data={readFunnel(answer)} period={period} windowDays={view.picker.windowDays} compact={compact} />;
    case 'retention':
      return <RetentionView data={readRetention(answer)} start={view.picker.start} period={period} compact={compact} />;
    case 'paths':
      return <PathsView data={readPaths(answer)} picker={view.picker} period={period} compact={compact} />;
    case 'unknown':
      return (
        <Empty title={`The console cannot draw ${view.name ? `a “${view.name}” question` : 'this question'}.`}>
          <p>Remove this tile, or ask the question with POST /api/v1/query (docs/queries.md).</p>
        </Empty>
      );
  }
}
