// The console's root: signs in (stored token, a #token= link, or the sign-in page), asks
// GET /api/v1/whoami for the role, follows the hash route and renders the page in the shell.
// A 401 from any request signs out and explains why on the sign-in page.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, setUnauthorizedHandler } from './api';
import { clearToken, loadToken, saveToken, takeTokenFromAddress } from './auth';
import { ErrorNotice } from './components/ErrorNotice';
import { Loading } from './components/Loading';
import { Shell } from './components/Shell';
import { asApiError, type ApiError } from './errors';
import { Glossary } from './pages/Glossary';
import { LiveEvents } from './pages/LiveEvents';
import { NotFound } from './pages/NotFound';
import { Overview } from './pages/Overview';
import { Profiles } from './pages/Profiles';
import { SignIn } from './pages/SignIn';
import { parseRole, type Role } from './roles';
import { parseHash, type Route } from './router';
import { SessionContext, type Session } from './session';

// The Insights page (its models' views and charts) is loaded when first opened, in its own chunk.
const Insights = lazy(() => import('./pages/Insights').then((m) => ({ default: m.Insights })));
// So is the Analytics page (trends, funnel, retention).
const Analytics = lazy(() => import('./pages/Analytics').then((m) => ({ default: m.Analytics })));
// And the Dashboards page (saved Analytics questions, drawn by the same views).
const Dashboards = lazy(() => import('./pages/Dashboards').then((m) => ({ default: m.Dashboards })));
// And the Audiences page (list, builder, one audience).
const Audiences = lazy(() => import('./pages/Audiences').then((m) => ({ default: m.Audiences })));
// And the Journeys page (list, flow with counts per step, builder).
const Journeys = lazy(() => import('./pages/Journeys').then((m) => ({ default: m.Journeys })));
// And the Sources & destinations page (SDK snippets, delivery health, dead letters).
const Connections = lazy(() => import('./pages/Connections').then((m) => ({ default: m.Connections })));

type Auth =
  | { phase: 'checking' }
  | { phase: 'signedOut'; message?: string }
  | { phase: 'unreachable'; error: ApiError }
  | { phase: 'signedIn'; role: Role; tokenId: string };

const TITLES: Record<Route['page'], string> = {
  overview: 'Overview',
  profiles: 'Profiles',
  insights: 'Insights',
  analytics: 'Analytics',
  dashboards: 'Dashboards',
  audiences: 'Audiences',
  journeys: 'Journeys',
  events: 'Live events',
  connections: 'Sources & destinations',
  glossary: 'Glossary',
  signin: 'Sign in',
  notfound: 'Not found',
};

/** The current route; a sign-in link opened in this tab (#token=…) goes to `onLinkToken`. */
function useRoute(onLinkToken: (token: string) => void): Route {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash));
  const callback = useRef(onLinkToken);
  callback.current = onLinkToken;
  useEffect(() => {
    const onChange = () => {
      const token = takeTokenFromAddress(); // also replaces the address with the link's page
      if (token) callback.current(token);
      setRoute(parseHash(window.location.hash));
    };
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App({ linkToken }: { linkToken: string | null }) {
  const [auth, setAuth] = useState<Auth>({ phase: 'checking' });
  const [attempt, setAttempt] = useState(0);
  const link = useRef<string | null>(linkToken); // a sign-in link's token, until it is checked
  const route = useRoute((token) => {
    link.current = token;
    setAuth({ phase: 'checking' });
    setAttempt((a) => a + 1);
  });

  const signOut = useCallback((message?: string) => {
    clearToken();
    setAuth({ phase: 'signedOut', message });
  }, []);

  // Any 401 ends the session, with the server's reason.
  useEffect(() => {
    setUnauthorizedHandler((message) => signOut(`You were signed out: ${message}. Sign in with a valid token.`));
    return () => setUnauthorizedHandler(null);
  }, [signOut]);

  // On start: a token from a sign-in link wins over the stored one.
  useEffect(() => {
    const fromLink = link.current;
    const token = fromLink ?? loadToken();
    if (!token) {
      setAuth({ phase: 'signedOut' });
      return;
    }
    const controller = new AbortController();
    api
      .whoami(token, controller.signal)
      .then((who) => {
        const role = parseRole(who.role);
        if (!role) {
          link.current = null;
          signOut(`This token has the role "${who.role}", which this console does not know.`);
          return;
        }
        saveToken(token);
        link.current = null;
        setAuth({ phase: 'signedIn', role, tokenId: who.tokenId });
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        const error = asApiError(err);
        link.current = null;
        if (error.status === 401) {
          signOut(
            fromLink
              ? `The token in that link was not accepted: ${error.message}.`
              : `Your saved token is no longer accepted: ${error.message}. Sign in with a valid one.`,
          );
        } else {
          if (fromLink) saveToken(fromLink);
          setAuth({ phase: 'unreachable', error });
        }
      });
    return () => controller.abort();
  }, [attempt, signOut]);

  const onSignedIn = useCallback((token: string, role: Role, tokenId: string) => {
    saveToken(token);
    setAuth({ phase: 'signedIn', role, tokenId });
    if (parseHash(window.location.hash).page === 'signin') window.location.hash = '#/overview';
  }, []);

  const session = useMemo<Session | null>(
    () => (auth.phase === 'signedIn' ? { role: auth.role, tokenId: auth.tokenId, signOut } : null),
    [auth, signOut],
  );

  useEffect(() => {
    document.title = `${auth.phase === 'signedIn' ? TITLES[route.page] : 'Sign in'} · Rapport`;
  }, [route.page, auth.phase]);

  // Signed in, the sign-in address leads to the Overview.
  useEffect(() => {
    if (auth.phase === 'signedIn' && route.page === 'signin') window.location.replace('#/overview');
  }, [auth.phase, route.page]);

  // Moving to another page moves the keyboard focus to it (not on the first render).
  const lastPage = useRef<string | null>(null);
  useEffect(() => {
    if (auth.phase !== 'signedIn') return;
    if (lastPage.current !== null && lastPage.current !== route.page && !(route.page === 'glossary' && route.entry)) {
      document.getElementById('main')?.focus();
      window.scrollTo(0, 0);
    }
    lastPage.current = route.page;
  }, [route, auth.phase]);

  if (auth.phase === 'checking') {
    return (
      <main id="main" className="signin">
        <Loading what="your session" />
      </main>
    );
  }
  if (auth.phase === 'unreachable') {
    return (
      <main id="main" className="signin">
        <div className="card signin-card">
          <h1>Rapport</h1>
          <ErrorNotice error={auth.error} title="Could not check your token with the server." onRetry={() => setAttempt((a) => a + 1)} />
          <button type="button" className="secondary" onClick={() => signOut()}>
            Sign in with another token
          </button>
        </div>
      </main>
    );
  }
  if (auth.phase === 'signedOut' || !session) {
    return <SignIn message={auth.phase === 'signedOut' ? auth.message : undefined} onSignedIn={onSignedIn} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell current={route.page}>
        <Page route={route} />
      </Shell>
    </SessionContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
    case 'signin':
      return <Overview />;
    case 'profiles':
      return <Profiles key={route.profileId ?? 'search'} profileId={route.profileId} identifier={route.identifier} />;
    case 'insights':
      return (
        <Suspense fallback={<Loading what="the Insights page" />}>
          <Insights section={route.section} />
        </Suspense>
      );
    case 'analytics':
      return (
        <Suspense fallback={<Loading what="the Analytics page" />}>
          <Analytics tab={route.tab} />
        </Suspense>
      );
    case 'dashboards':
      return (
        <Suspense fallback={<Loading what="the Dashboards page" />}>
          <Dashboards key={route.id ?? 'list'} id={route.id} />
        </Suspense>
      );
    case 'audiences':
      return (
        <Suspense fallback={<Loading what="the Audiences page" />}>
          <Audiences key={route.name ?? 'list'} name={route.name} />
        </Suspense>
      );
    case 'journeys':
      return (
        <Suspense fallback={<Loading what="the Journeys page" />}>
          <Journeys key={route.name ?? 'list'} name={route.name} />
        </Suspense>
      );
    case 'events':
      return <LiveEvents view={route.view} />;
    case 'connections':
      return (
        <Suspense fallback={<Loading what="the Sources & destinations page" />}>
          <Connections tab={route.tab} />
        </Suspense>
      );
    case 'glossary':
      return <Glossary entry={route.entry} />;
    case 'notfound':
      return <NotFound path={route.path} />;
  }
}
