// A page's tabs as links (`#/insights/roi`, `#/events/rejected`, …): the current one marked with
// aria-current, so the address bar, the back button and the keyboard work as for any link.
export interface TabLink {
  key: string;
  href: string;
  label: string;
}

export function TabNav({ label, tabs, current }: { label: string; tabs: TabLink[]; current: string }) {
  return (
    <nav className="tabs" aria-label={label}>
      <ul>
        {tabs.map((t) => (
          <li key={t.key}>
            <a href={t.href} aria-current={t.key === current ? 'page' : undefined}>
              {t.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
