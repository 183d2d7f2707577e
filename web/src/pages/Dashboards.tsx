// Dashboards: saved Analytics questions (GET|POST /api/v1/dashboards, GET|PUT|DELETE
// /api/v1/dashboards/{id}) — the list at `#/dashboards`, one dashboard's tiles at
// `#/dashboards/<id>`. Tiles are saved from the Analytics tabs ("Save to dashboard").
import { DashboardList } from './dashboards/DashboardList';
import { DashboardView } from './dashboards/DashboardView';

export function Dashboards({ id }: { id?: string }) {
  return id ? <DashboardView id={id} /> : <DashboardList />;
}
