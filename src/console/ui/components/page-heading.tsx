/** The page's h1 and breadcrumbs; sets the document title and moves focus here when a page opens (screen readers announce it). */
import { useEffect, useRef } from 'preact/hooks';

export interface Crumb {
  label: string;
  href: string;
}

export function PageHeading({ title, crumbs = [] }: { title: string; crumbs?: Crumb[] }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Floe console`;
  }, [title]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <>
      {crumbs.length > 0 && (
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
          <ol>
            {crumbs.map((c) => (
              <li key={c.href}>
                <a href={c.href}>{c.label}</a>
              </li>
            ))}
          </ol>
        </nav>
      )}
      <h1 tabIndex={-1} ref={heading}>
        {title}
      </h1>
    </>
  );
}
