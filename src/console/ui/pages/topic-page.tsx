/** One topic: summary, configs, server-paged partitions with offsets, and the write forms. */
import type { PartitionRow, TopicDetail } from '../../shared/api-types.js';
import { enc } from '../api.js';
import { DataTable, type Column } from '../components/data-table.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { Pager } from '../components/pager.js';
import { StatList } from '../components/stat-list.js';
import { useConsoleInfo } from '../console-info.js';
import { AddPartitionsForm } from '../forms/add-partitions-form.js';
import { DeleteRecordsForm } from '../forms/delete-records-form.js';
import { ProduceForm } from '../forms/produce-form.js';
import { TopicConfigs } from '../forms/topic-configs.js';
import { formatBytes, formatCount } from '../format.js';
import { href, navigate, numberParam, type Route } from '../router.js';
import { useSampledJson } from '../use-sampled-json.js';

const messagesHref = (topic: string, partition: number) => href(['topics', topic, 'messages'], { partition, mode: 'latest' });

function partitionColumns(topic: string): Array<Column<PartitionRow>> {
  return [
    { label: 'Partition', numeric: true, cell: (p) => p.partition },
    { label: 'Log start offset', numeric: true, cell: (p) => formatCount(p.logStartOffset) },
    { label: 'Log end offset', numeric: true, cell: (p) => formatCount(p.logEndOffset) },
    { label: 'Records', numeric: true, cell: (p) => formatCount(p.records) },
    { label: 'Bytes written', numeric: true, cell: (p) => formatBytes(p.bytes) },
    {
      label: 'Messages',
      cell: (p) => (
        <a href={messagesHref(topic, p.partition)} aria-label={`Browse partition ${p.partition}`}>
          Browse
        </a>
      ),
    },
  ];
}

export function TopicPage({ name, route }: { name: string; route: Route }) {
  const info = useConsoleInfo();
  const offset = numberParam(route.query, 'offset', 0);
  const topic = useSampledJson<TopicDetail>(`/topics/${enc(name)}`, { offset, limit: 100 });
  const t = topic.data;
  return (
    <>
      <PageHeading title={`Topic ${name}`} crumbs={[{ label: 'Topics', href: '#/topics' }]} />
      {route.query.get('created') && <Notice kind="ok">Topic {name} created.</Notice>}
      <ErrorNotice error={topic.error} />
      {t && (
        <>
          <StatList
            stats={[
              { label: 'Partitions', value: formatCount(t.partitions) },
              { label: 'Records', value: formatCount(t.records) },
              { label: 'Bytes written', value: formatBytes(t.bytes) },
            ]}
          />
          <p>
            <a href={messagesHref(name, 0)}>Browse messages</a>
            <span class="muted"> · topic id {t.topicId}</span>
          </p>

          <TopicConfigs topic={t} readOnly={info.readOnly} onDone={topic.reload} />

          <h2 id="partitions-heading">Partitions</h2>
          <DataTable labelledBy="partitions-heading" columns={partitionColumns(name)} rows={t.partitionPage.items} rowKey={(p) => p.partition} />
          <Pager page={t.partitionPage} label="Partitions" onOffset={(o) => navigate(href(['topics', name], { offset: o }))} />

          {!info.readOnly && (
            <>
              <ProduceForm topic={name} partitions={t.partitions} onDone={topic.reload} />
              <AddPartitionsForm topic={name} current={t.partitions} onDone={topic.reload} />
              <DeleteRecordsForm topic={name} partitions={t.partitions} onDone={topic.reload} />
            </>
          )}
        </>
      )}
    </>
  );
}
