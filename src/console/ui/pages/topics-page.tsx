/** Topics: a filtered, server-paged table and the create form. */
import type { TopicRow } from '../../shared/api-types.js';
import { FilteredList, type ListSpec } from '../components/filtered-list.js';
import { PageHeading } from '../components/page-heading.js';
import { useConsoleInfo } from '../console-info.js';
import { CreateTopicForm } from '../forms/create-topic-form.js';
import { formatBytes, formatCount } from '../format.js';
import { href, type Route } from '../router.js';

const TOPIC_LIST: ListSpec<TopicRow> = {
  section: 'topics',
  filter: { id: 'topic-filter', label: 'Filter by name' },
  caption: (q, total) => `Topics${q ? ` matching "${q}"` : ''} (${formatCount(total)})`,
  columns: [
    { label: 'Name', cell: (t) => <a href={href(['topics', t.name])}>{t.name}</a> },
    { label: 'Partitions', numeric: true, cell: (t) => formatCount(t.partitions) },
    { label: 'Records', numeric: true, cell: (t) => formatCount(t.records) },
    { label: 'Bytes written', numeric: true, cell: (t) => formatBytes(t.bytes) },
  ],
  rowKey: (t) => t.name,
  pagerLabel: 'Topics',
};

export function TopicsPage({ route }: { route: Route }) {
  const info = useConsoleInfo();
  return (
    <>
      <PageHeading title="Topics" />
      <FilteredList route={route} list={TOPIC_LIST} />
      {!info.readOnly && <CreateTopicForm />}
    </>
  );
}
