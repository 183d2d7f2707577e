// An error as the console shows it everywhere: what went wrong in the server's own words, what
// to do next, and a "Try again" button when retrying can help.
import type { ApiError } from '../errors';

export function ErrorNotice({ error, onRetry, title }: { error: ApiError; onRetry?: () => void; title?: string }) {
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title ?? 'That did not work.'}</p>
      <p>
        {error.message}
        {error.code && error.status > 0 ? <span className="muted"> ({error.status} {error.code})</span> : null}
      </p>
      <p className="notice-hint">{error.hint}</p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
