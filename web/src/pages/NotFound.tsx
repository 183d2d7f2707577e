// The page for an address the console does not know, with the way back.
export function NotFound({ path }: { path: string }) {
  return (
    <>
      <h1>No page here</h1>
      <p>
        The console has no page at <code>{path}</code>. Go to the <a href="#/overview">Overview</a>, or pick a page
        on the left.
      </p>
    </>
  );
}
