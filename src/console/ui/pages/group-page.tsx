/** One consumer group: state, members and their partitions, committed offset and lag per partition, lag over time, and offset resets. */
import type { GroupDetail, GroupMember, GroupPartitionRow } from '../../shared/api-types.js';
import { enc } from '../api.js';
import { DataTable, type Column } from '../components/data-table.js';
import { LineChart } from '../components/line-chart.js';
import { ErrorNotice } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { Pager } from '../components/pager.js';
import { StatList } from '../components/stat-list.js';
import { useConsoleInfo } from '../console-info.js';
import { ResetOffsetsForm } from '../forms/reset-offsets-form.js';
import { formatCount, formatNumber, formatTime } from '../format.js';
import { href, navigate, numberParam, type Route } from '../router.js';
import { useSampledJson } from '../use-sampled-json.js';

const MEMBER_COLUMNS: Array<Column<GroupMember>> = [
  { label: 'Member', cell: (m) => <code>{m.memberId}</code> },
  { label: 'Client id', cell: (m) => m.clientId || '–' },
  { label: 'Instance id', cell: (m) => m.instanceId ?? '–' },
  { label: 'Epoch', numeric: true, cell: (m) => m.memberEpoch },
  { label: 'Partitions', cell: (m) => (m.partitionCount === 0 ? <span class="muted">none</span> : m.assignment.map((line) => <div key={line}>{line}</div>)) },
  { label: 'Last heartbeat', cell: (m) => formatTime(m.lastHeartbeatAt) },
];

const PARTITION_COLUMNS: Array<Column<GroupPartitionRow>> = [
  { label: 'Topic', cell: (p) => <a href={href(['topics', p.topic])}>{p.topic}</a> },
  { label: 'Partition', numeric: true, cell: (p) => p.partition },
  { label: 'Committed offset', numeric: true, cell: (p) => formatCount(p.committedOffset) },
  { label: 'Log end offset', numeric: true, cell: (p) => formatCount(p.logEndOffset) },
  { label: 'Lag', numeric: true, cell: (p) => formatCount(p.lag) },
  { label: 'Owner', cell: (p) => (p.owner ? <code>{p.owner}</code> : <span class="muted">none</span>) },
];

export function GroupPage({ groupId, route }: { groupId: string; route: Route }) {
  const info = useConsoleInfo();
  const offset = numberParam(route.query, 'offset', 0);
  const group = useSampledJson<GroupDetail>(`/groups/${enc(groupId)}`, { offset, limit: 100 });
  const g = group.data;
  const topics = g ? [...new Set(g.partitionPage.items.map((p) => p.topic))] : [];
  return (
    <>
      <PageHeading title={`Consumer group ${groupId}`} crumbs={[{ label: 'Consumer groups', href: '#/groups' }]} />
      <ErrorNotice error={group.error} />
      {g && (
        <>
          <StatList
            stats={[
              { label: 'State', value: g.state, class: 'state', testId: 'group-state' },
              { label: 'Members', value: g.members.length, testId: 'group-members' },
              { label: 'Total lag', value: formatCount(g.totalLag), testId: 'group-lag' },
              { label: 'Epoch', value: g.groupEpoch },
              { label: 'Assignor', value: g.assignor ?? '–' },
            ]}
          />
          <LineChart
            caption="Total lag, records"
            format={formatNumber}
            emptyText={`Collecting samples: one every ${Math.round(info.sampleIntervalMs / 1000)} s while the console is open.`}
            series={[{ label: 'Lag', color: '#0b57d0', points: g.lagSeries.map((p) => ({ t: p.t, v: p.lag })) }]}
          />

          <h2 id="members-heading">Members</h2>
          {g.members.length === 0 ? (
            <p class="muted">No live members.</p>
          ) : (
            <DataTable labelledBy="members-heading" columns={MEMBER_COLUMNS} rows={g.members} rowKey={(m) => m.memberId} />
          )}

          <h2 id="offsets-heading">Offsets and lag</h2>
          <DataTable labelledBy="offsets-heading" columns={PARTITION_COLUMNS} rows={g.partitionPage.items} rowKey={(p) => `${p.topic}:${p.partition}`} />
          <Pager page={g.partitionPage} label="Group partitions" onOffset={(o) => navigate(href(['groups', groupId], { offset: o }))} />

          {!info.readOnly && <ResetOffsetsForm groupId={groupId} topics={topics} onDone={group.reload} />}
        </>
      )}
    </>
  );
}
