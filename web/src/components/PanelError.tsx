// The error of a panel that reads an endpoint newer than some servers: a server without it
// (isMissingEndpoint: 404 "no such endpoint", 405) gets a calm "not available on this server"
// instead of an error; any other error is an ErrorNotice with its retry.
import { isMissingEndpoint, type ApiError } from '../errors';
import { ErrorNotice } from './ErrorNotice';

/** `what`: a noun phrase fitting "this server does not offer …", e.g. "the rejected requests". */
export function PanelError({ error, what, onRetry, title }: { error: ApiError; what: string; onRetry?: () => void; title?: string }) {
  if (isMissingEndpoint(error)) {
    return (
      <p className="notice notice-empty small" role="status">
        Unavailable: this server does not offer {what} yet (it is older than this console). Upgrade <code>rapport</code>{' '}
        to see {what} here.
      </p>
    );
  }
  return <ErrorNotice error={error} onRetry={onRetry} title={title ?? `Could not load ${what}.`} />;
}
