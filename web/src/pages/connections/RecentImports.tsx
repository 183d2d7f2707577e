// The imports since the server started (GET /api/v1/imports, newest first; kept in memory, so a
// restart empties the list): file, source, state, rows imported and rejected, with the rejected
// rows to save. `reloadKey` asks again (after an import ends).
import { api } from '../../api';
import { STATE_LABELS } from '../../connections/imports';
import { Empty } from '../../components/Empty';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { formatDateTime, formatNumber } from '../../format';
import { useAsync } from '../../useAsync';
import { RejectsLink } from './ImportProgress';

export function RecentImports({ reloadKey }: { reloadKey: number }) {
  const list = useAsync((signal) => api.imports(signal), [reloadKey]);
  if (list.status === 'loading') return <Loading what="the recent imports" />;
  if (list.status === 'error') return <ErrorNotice error={list.error} onRetry={list.reload} title="The recent imports could not be listed." />;
  if (list.data.imports.length === 0) {
    return (
      <Empty title="No imports since the server started.">
        <p>Import a file above; imports are kept in memory, so the list starts empty after a restart.</p>
      </Empty>
    );
  }
  return (
    <div className="table-scroll">
      <table id="recent-imports">
        <caption className="visually-hidden">Imports since the server started, newest first</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Source</th>
            <th scope="col">State</th>
            <th scope="col" className="num">Imported</th>
            <th scope="col" className="num">Rejected</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {list.data.imports.map((j) => (
            <tr key={j.id}>
              <th scope="row">{j.fileName}</th>
              <td>{j.source}</td>
              <td title={j.error ?? undefined}>{STATE_LABELS[j.state] ?? j.state}</td>
              <td className="num">{formatNumber(j.rowsImported, 0)}</td>
              <td className="num">{j.rowsRejected > 0 ? <RejectsLink job={j} /> : '0'}</td>
              <td>{formatDateTime(j.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
