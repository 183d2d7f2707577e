// "Import a file" on the Sources tab (admin, marketer: the imports routes of docs/api.md): the
// import form with its progress, and the recent imports, asked again when one ends.
import { useCallback, useState } from 'react';
import { Term } from '../../components/Term';
import type { Source } from '../../types';
import { ImportForm } from './ImportForm';
import { RecentImports } from './RecentImports';

export function ImportSection({ sources }: { sources: readonly Source[] }) {
  const [reloadKey, setReloadKey] = useState(0);
  const finished = useCallback(() => setReloadKey((k) => k + 1), []);
  return (
    <section className="card" aria-labelledby="import-title">
      <h3 id="import-title">Import a file</h3>
      <p className="small">
        CRM contacts, orders, support tickets, social mentions: each row of a CSV or JSON Lines export becomes an event in a source, by a{' '}
        <Term id="import-mapping">mapping</Term>. Rows go through the same checks as events from the SDKs; importing the same rows again stores
        them once.
      </p>
      <ImportForm sources={sources} onFinished={finished} />
      <h4>Recent imports</h4>
      <RecentImports reloadKey={reloadKey} />
    </section>
  );
}
