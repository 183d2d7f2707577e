// One POST /api/v1/query for a checked spec, asked again only when the spec changes: `null` data
// while there is no valid spec (the tab shows the spec's problem instead). Every Analytics tab and
// every dashboard tile asks its question through this.
import { api } from '../../api';
import type { Checked } from '../../insights/specs';
import { useAsync } from '../../useAsync';

export function useSpecQuery(spec: Checked<Record<string, unknown>> | null) {
  const key = spec && spec.ok ? JSON.stringify(spec.value) : '';
  return useAsync((signal) => (key ? api.query<unknown>(JSON.parse(key) as object, signal) : Promise.resolve(null)), [key]);
}
