/** Topics: a filtered, server-paged table and the create form. */
import type { Page, TopicRow } from '../../shared/api-types.js';
import { getJson } from '../api.js';
import { ErrorNotice } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { Pager } from '../components/pager.js';
import { useConsoleInfo } from '../console-info.js';
import { CreateTopicForm } from '../forms/create-topic-form.js';
import { formatBytes, formatCount } from '../format.js';
import { href, navigate, type Route } from '../router.js';
import { useResource } from '../use-resource.js';

export function TopicsPage({ route }: { route: Route }) {
  const info = useConsoleInfo();
  const q = route.query.get('q') ?? '';
  const offset = Number(route.query.get('offset') ?? 0) || 0;
  const topics = useResource((signal) => getJson<Page<TopicRow>>('/topics', { q, offset, limit: 50 }, signal), [q, offset], info.sampleIntervalMs);
  return (
    <>
      <PageHeading title="Topics" />
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const value = (new FormData(e.currentTarget).get('q') as string | null) ?? '';
          navigate(href(['topics'], { q: value }));
        }}
      >
        <div class="field">
          <label for="topic-filter">Filter by name</label>
          <input id="topic-filter" name="q" type="search" defaultValue={q} />
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      <ErrorNotice error={topics.error} />
      {topics.data && (
        <>
          <div class="table-wrap">
            <table>
              <caption>
                Topics{q ? ` matching "${q}"` : ''} ({formatCount(topics.data.total)})
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" class="num">
                    Partitions
                  </th>
                  <th scope="col" class="num">
                    Records
                  </th>
                  <th scope="col" class="num">
                    Bytes written
                  </th>
                </tr>
              </thead>
              <tbody>
                {topics.data.items.map((t) => (
                  <tr key={t.name}>
                    <td>
                      <a href={href(['topics', t.name])}>{t.name}</a>
                    </td>
                    <td class="num">{formatCount(t.partitions)}</td>
                    <td class="num">{formatCount(t.records)}</td>
                    <td class="num">{formatBytes(t.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={topics.data} label="Topics" onOffset={(o) => navigate(href(['topics'], { q, offset: o }))} />
        </>
      )}
      {!info.readOnly && <CreateTopicForm />}
    </>
  );
}
