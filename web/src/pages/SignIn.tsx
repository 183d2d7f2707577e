// Sign-in: asks for an API token, explains where one comes from, checks it with
// GET /api/v1/whoami and hands the token and role to App. A sign-in link (#token=rpt_...)
// skips this page (App reads it).
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { ApiError, asApiError } from '../errors';
import { parseRole, type Role } from '../roles';

export function SignIn({ message, onSignedIn }: { message?: string; onSignedIn: (token: string, role: Role, tokenId: string) => void }) {
  const [token, setToken] = useState('');
  const [show, setShow] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (t === '') {
      setError(new ApiError(0, 'invalid_argument', 'Paste an API token first.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const who = await api.whoami(t);
      const role = parseRole(who.role);
      if (!role) throw new ApiError(200, 'unknown_role', `This token has the role "${who.role}", which this console does not know.`);
      onSignedIn(t, role, who.tokenId);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin" tabIndex={-1}>
      <div className="card signin-card">
        <h1>Sign in to Rapport</h1>
        {message ? (
          <p className="notice notice-info" role="status">
            {message}
          </p>
        ) : null}
        <form onSubmit={submit} noValidate>
          <label htmlFor="token">API token</label>
          <div className="row">
            <input
              id="token"
              name="token"
              type={show ? 'text' : 'password'}
              autoComplete="off"
              spellCheck={false}
              placeholder="rpt_…"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              aria-describedby="token-help"
              autoFocus
            />
            <button type="button" className="secondary" onClick={() => setShow((s) => !s)} aria-pressed={show}>
              {show ? 'Hide' : 'Show'}
            </button>
          </div>
          <button type="submit" disabled={busy}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </form>
        {error ? (
          <ErrorNotice
            error={error}
            title={error.status === 401 ? 'This server does not know that token.' : 'Could not sign in.'}
          />
        ) : null}
        <div id="token-help" className="help">
          <h2>Where do I get a token?</h2>
          <ul>
            <li>
              The first time <code>rapport serve</code> (or <code>make run</code>) starts, it prints an admin token and
              a sign-in link. It is shown only then.
            </li>
            <li>
              Whoever runs the server can create one for you:
              <pre>
                <code>rapport admin token create --role marketer --data DIR</code>
              </pre>
              with <code>--role analyst</code> to read and query only, or <code>--role admin</code> to also manage
              sources and tokens.
            </li>
          </ul>
          <p className="muted small">
            The token is kept in this browser until you sign out. Anyone with it can use the API with its role.
          </p>
        </div>
      </div>
    </main>
  );
}
