// Profiles: find a customer by any identifier (GET /api/v1/profiles?identifier=TYPE:VALUE) or
// open one by id (GET /api/v1/profiles/{id}), then the 360° view (components/ProfileView).
// The search lives in the address (#/profiles?identifier=…), so Back and links work.
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { ProfileView } from '../components/ProfileView';
import { IDENTIFIER_TYPES, identifierText, isProfileId, profileLookupPath, splitIdentifier } from '../identifiers';
import { href } from '../router';
import { useAsync } from '../useAsync';
import { FieldProblem } from '../components/FieldProblem';

const BY_ID = 'profile_id';

export function Profiles({ profileId, identifier }: { profileId?: string; identifier?: string }) {
  return (
    <>
      <header className="page-header">
        <h1>Profiles</h1>
      </header>
      <SearchForm initial={identifier} key={identifier ?? ''} />
      {profileId ? (
        <ById id={profileId} />
      ) : identifier ? (
        <ByIdentifier identifier={identifier} />
      ) : (
        <p className="muted">
          A profile is one customer stitched from every identifier they used (
          <a href="#/glossary/profiles">what is a profile?</a>). Search by any of them: a user id from your database, an
          email, a phone number, or the anonymous id of a browser or device.
        </p>
      )}
    </>
  );
}

function SearchForm({ initial }: { initial?: string }) {
  const split = initial ? splitIdentifier(initial) : null;
  const [type, setType] = useState(split?.type ?? 'email');
  const [value, setValue] = useState(split?.value ?? '');
  const [problem, setProblem] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const example = type === BY_ID ? 'p42' : IDENTIFIER_TYPES.find((t) => t.type === type)?.example ?? '';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = value.trim();
    if (type === BY_ID) {
      if (!isProfileId(v)) {
        setProblem('A profile id looks like p42: the letter p and digits.');
        input.current?.focus();
        return;
      }
      window.location.hash = href({ page: 'profiles', profileId: v });
      return;
    }
    const text = identifierText(type, v);
    if (!text) {
      setProblem('Type the value to look for.');
      input.current?.focus();
      return;
    }
    setProblem('');
    window.location.hash = href({ page: 'profiles', identifier: text });
  };

  return (
    <form className="search" onSubmit={submit} role="search" aria-label="Find a profile">
      <label htmlFor="id-type">Find by</label>
      <select id="id-type" value={type} onChange={(e) => setType(e.target.value)}>
        {IDENTIFIER_TYPES.map((t) => (
          <option key={t.type} value={t.type}>
            {t.label}
          </option>
        ))}
        <option value={BY_ID}>Profile id</option>
      </select>
      <label htmlFor="id-value" className="visually-hidden">
        Value
      </label>
      <input
        id="id-value"
        ref={input}
        value={value}
        placeholder={example}
        onChange={(e) => setValue(e.target.value)}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={problem !== ''}
        aria-describedby={problem ? 'id-problem' : undefined}
      />
      <button type="submit">Find</button>
      <FieldProblem problem={problem} id="id-problem" />
    </form>
  );
}

function NotFoundHelp({ message }: { message: string }) {
  return (
    <Empty title="No profile found.">
      <p>{/[.!?]$/.test(message) ? message : `${message}.`}</p>
      <ul>
        <li>Values are compared after normalising: emails in lower case, phone numbers by their digits, spaces trimmed.</li>
        <li>Try another identifier of the same person: a visitor who never signed in is found only by their anonymous id.</li>
        <li>
          Events become profiles within milliseconds; if the event was just sent, check it arrived in{' '}
          <a href="#/events">Live events</a>.
        </li>
      </ul>
    </Empty>
  );
}

function ByIdentifier({ identifier }: { identifier: string }) {
  const split = splitIdentifier(identifier);
  const path = split ? profileLookupPath(split.type, split.value) : null;
  const state = useAsync((signal) => (path ? api.profileByIdentifier(path, signal) : Promise.reject(new Error('bad'))), [path]);
  if (!path) return <NotFoundHelp message={`"${identifier}" is not TYPE:VALUE`} />;
  if (state.status === 'loading') return <Loading what={`the profile with ${identifier}`} />;
  if (state.status === 'error') {
    if (state.error.status === 404) return <NotFoundHelp message={state.error.message} />;
    return <ErrorNotice error={state.error} onRetry={state.reload} />;
  }
  return <ProfileView profile={state.data} foundBy={identifier} />;
}

function ById({ id }: { id: string }) {
  const state = useAsync((signal) => api.profile(id, signal), [id]);
  if (state.status === 'loading') return <Loading what={`profile ${id}`} />;
  if (state.status === 'error') {
    if (state.error.status === 404 || state.error.status === 400) return <NotFoundHelp message={state.error.message} />;
    return <ErrorNotice error={state.error} onRetry={state.reload} />;
  }
  return <ProfileView profile={state.data} requestedId={id} />;
}
