// The workspace's sources (GET /api/v1/sources), loaded once per token and shared, so lists can
// show a source's name instead of its id ("website" rather than "src_…").
import { useEffect, useState } from 'react';
import { api } from './api';
import { loadToken } from './auth';
import type { Source } from './types';

let cache: { token: string | null; promise: Promise<Source[]> } | null = null;

function sources(): Promise<Source[]> {
  const token = loadToken();
  if (!cache || cache.token !== token) {
    const promise = api.sources().then(
      (r) => r.sources,
      () => [] as Source[], // names are a nicety: ids are shown instead
    );
    cache = { token, promise };
  }
  return cache.promise;
}

/** Forget the cached list (after creating a source). */
export function invalidateSources(): void {
  cache = null;
}

/** The sources, empty until loaded (or when they cannot be). */
export function useSources(): Source[] {
  const [list, setList] = useState<Source[]>([]);
  useEffect(() => {
    let live = true;
    sources().then((s) => live && setList(s));
    return () => {
      live = false;
    };
  }, []);
  return list;
}

/** A function from a source id to its name (or the id when unknown). */
export function useSourceName(): (id: string | undefined) => string {
  const list = useSources();
  const names = new Map(list.map((s) => [s.id, s.name]));
  return (id) => (id ? names.get(id) ?? id : '–');
}
