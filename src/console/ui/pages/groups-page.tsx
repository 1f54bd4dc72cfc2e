/** Consumer groups: a filtered, server-paged table with state, members and sampled lag. */
import type { GroupRow, Page } from '../../shared/api-types.js';
import { getJson } from '../api.js';
import { ErrorNotice } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { Pager } from '../components/pager.js';
import { useConsoleInfo } from '../console-info.js';
import { formatCount } from '../format.js';
import { href, navigate, type Route } from '../router.js';
import { useResource } from '../use-resource.js';

export function GroupsPage({ route }: { route: Route }) {
  const info = useConsoleInfo();
  const q = route.query.get('q') ?? '';
  const offset = Number(route.query.get('offset') ?? 0) || 0;
  const groups = useResource((signal) => getJson<Page<GroupRow>>('/groups', { q, offset, limit: 50 }, signal), [q, offset], info.sampleIntervalMs);
  return (
    <>
      <PageHeading title="Consumer groups" />
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href(['groups'], { q: (new FormData(e.currentTarget).get('q') as string | null) ?? '' }));
        }}
      >
        <div class="field">
          <label for="group-filter">Filter by group id</label>
          <input id="group-filter" name="q" type="search" defaultValue={q} />
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      <ErrorNotice error={groups.error} />
      {groups.data && (
        <>
          <div class="table-wrap">
            <table>
              <caption>Consumer groups ({formatCount(groups.data.total)})</caption>
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">State</th>
                  <th scope="col" class="num">
                    Members
                  </th>
                  <th scope="col" class="num">
                    Lag
                  </th>
                </tr>
              </thead>
              <tbody>
                {groups.data.items.map((g) => (
                  <tr key={g.groupId}>
                    <td>
                      <a href={href(['groups', g.groupId])}>{g.groupId}</a>
                    </td>
                    <td>{g.state}</td>
                    <td class="num">{formatCount(g.members)}</td>
                    <td class="num">{formatCount(g.lag)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {groups.data.total === 0 && <p class="muted">No consumer groups yet.</p>}
          <Pager page={groups.data} label="Groups" onOffset={(o) => navigate(href(['groups'], { q, offset: o }))} />
        </>
      )}
    </>
  );
}
