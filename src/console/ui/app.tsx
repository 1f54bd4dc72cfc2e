/** The console's shell: skip link, header with navigation, and the page the hash route names. */
import type { ConsoleInfo } from '../shared/api-types.js';
import { getJson } from './api.js';
import { ErrorNotice } from './components/notice.js';
import { PageHeading } from './components/page-heading.js';
import { ConsoleInfoContext } from './console-info.js';
import { GroupPage } from './pages/group-page.js';
import { GroupsPage } from './pages/groups-page.js';
import { MessagesPage } from './pages/messages-page.js';
import { OverviewPage } from './pages/overview-page.js';
import { TopicPage } from './pages/topic-page.js';
import { TopicsPage } from './pages/topics-page.js';
import { useRoute, type Route } from './router.js';
import { useResource } from './use-resource.js';

const NAV = [
  { label: 'Overview', href: '#/', section: '' },
  { label: 'Topics', href: '#/topics', section: 'topics' },
  { label: 'Consumer groups', href: '#/groups', section: 'groups' },
];

function Page({ route }: { route: Route }) {
  const [section, id, sub] = route.segments;
  // Keyed by route so a page's state (forms, focus) starts fresh on another topic or group.
  if (section === undefined) return <OverviewPage />;
  if (section === 'topics' && id === undefined) return <TopicsPage route={route} />;
  if (section === 'topics' && id !== undefined && sub === undefined) return <TopicPage key={id} name={id} route={route} />;
  if (section === 'topics' && id !== undefined && sub === 'messages') return <MessagesPage key={id} name={id} route={route} />;
  if (section === 'groups' && id === undefined) return <GroupsPage route={route} />;
  if (section === 'groups' && id !== undefined && sub === undefined) return <GroupPage key={id} groupId={id} route={route} />;
  return (
    <>
      <PageHeading title="Page not found" />
      <p>
        <a href="#/">Back to the overview</a>
      </p>
    </>
  );
}

export function App() {
  const route = useRoute();
  const info = useResource((signal) => getJson<ConsoleInfo>('/info', {}, signal), []);
  const section = route.segments[0] ?? '';
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <header class="site-header">
        <a class="brand" href="#/">
          Floe console
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <a href={n.href} aria-current={n.section === section ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {info.data && (
          <p class="cluster">
            Cluster <code>{info.data.bootstrap}</code>
            {info.data.signed && <span class="badge">SigV4</span>}
            {info.data.readOnly && <span class="badge" data-testid="read-only-badge">Read-only</span>}
          </p>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorNotice error={info.error} />
        {info.data && (
          <ConsoleInfoContext.Provider value={info.data}>
            <Page route={route} />
          </ConsoleInfoContext.Provider>
        )}
      </main>
    </>
  );
}
