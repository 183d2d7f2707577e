// The "Delete" card of a saved thing (an audience, a journey): a button, then a confirmation
// that says what goes with it, then `remove` and a move to `afterHref`. Shown only when the
// role may write (`allowed`); a refusal keeps the card with the server's reason.
import { useState } from 'react';
import { asApiError, type ApiError } from '../errors';
import { ErrorNotice } from './ErrorNotice';

export function ConfirmDelete({
  what,
  name,
  consequence,
  allowed,
  remove,
  afterHref,
  className = 'card',
}: {
  what: string; // "audience", "journey"
  name: string;
  consequence: string; // "Delete NAME and … ?" — the sentence after the name
  allowed: boolean;
  remove: () => Promise<unknown>;
  afterHref: string;
  className?: string;
}) {
  const [confirming, setConfirming] = useState(false);
  const [state, setState] = useState<{ busy: boolean; error?: ApiError }>({ busy: false });
  if (!allowed) return null;
  const doDelete = async () => {
    setState({ busy: true });
    try {
      await remove();
      window.location.hash = afterHref;
    } catch (err) {
      setState({ busy: false, error: asApiError(err) });
    }
  };
  return (
    <section className={className} aria-labelledby="delete-title">
      <h2 id="delete-title">Delete</h2>
      {confirming ? (
        <div className="toolbar" role="group" aria-label="Confirm deleting">
          <span>
            Delete {name}
            {consequence}
          </span>
          <button type="button" className="danger" onClick={() => void doDelete()} disabled={state.busy}>
            {state.busy ? 'Deleting…' : `Yes, delete ${name}`}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)} autoFocus>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Delete {what}…
        </button>
      )}
      {state.error ? <ErrorNotice error={state.error} title={`The ${what} was not deleted.`} /> : null}
    </section>
  );
}
