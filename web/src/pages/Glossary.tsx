// Glossary: every KPI and term in plain words (data in glossary.ts). `#/glossary/<id>` scrolls
// to the entry and focuses it, so every "what is this?" link lands on its explanation.
import { useEffect } from 'react';
import { GLOSSARY, glossaryEntry, glossaryHref } from '../glossary';

export function Glossary({ entry }: { entry?: string }) {
  useEffect(() => {
    if (!entry) return;
    const el = document.getElementById(entry);
    if (el) {
      el.scrollIntoView({ block: 'start' });
      el.focus({ preventScroll: true });
    }
  }, [entry]);

  const unknown = entry && !glossaryEntry(entry);
  return (
    <>
      <header className="page-header">
        <h1>Glossary</h1>
      </header>
      <p className="lead">
        What every figure in the console means, how Rapport computes it and how to read it. The full method, with the
        specs to ask for each figure, is in <code>docs/kpis.md</code>.
      </p>
      {unknown ? (
        <p className="notice notice-info" role="status">
          There is no entry “{entry}”. Pick one below.
        </p>
      ) : null}
      <nav className="toc" aria-label="Glossary contents">
        {GLOSSARY.map((s) => (
          <div key={s.title}>
            <p className="toc-title">{s.title}</p>
            <ul>
              {s.entries.map((e) => (
                <li key={e.id}>
                  <a href={glossaryHref(e.id)}>{e.term}</a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      {GLOSSARY.map((s) => (
        <section key={s.title} className="glossary-section" aria-labelledby={slug(s.title)}>
          <h2 id={slug(s.title)}>{s.title}</h2>
          {s.entries.map((e) => (
            <section
              key={e.id}
              id={e.id}
              tabIndex={-1}
              className={`glossary-entry${e.id === entry ? ' current' : ''}`}
              aria-labelledby={`t-${e.id}`}
            >
              <h3 id={`t-${e.id}`}>{e.term}</h3>
              <p className="short">{e.short}</p>
              {e.body.map((para, i) => (
                <p key={i}>{para}</p>
              ))}
              {e.read ? (
                <p>
                  <strong>How to read it.</strong> {e.read}
                </p>
              ) : null}
              {e.related && e.related.length ? (
                <p className="related">
                  See also:{' '}
                  {e.related.map((r, i) => (
                    <span key={r}>
                      {i ? ', ' : ''}
                      <a href={glossaryHref(r)}>{glossaryEntry(r)?.term ?? r}</a>
                    </span>
                  ))}
                </p>
              ) : null}
            </section>
          ))}
        </section>
      ))}
    </>
  );
}

function slug(title: string): string {
  return 'gs-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
