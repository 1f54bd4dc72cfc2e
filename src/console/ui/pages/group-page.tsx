/** One consumer group: state, members and their partitions, committed offset and lag per partition, lag over time, and offset resets. */
import type { GroupDetail } from '../../shared/api-types.js';
import { enc, getJson } from '../api.js';
import { LineChart } from '../components/line-chart.js';
import { ErrorNotice } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { Pager } from '../components/pager.js';
import { useConsoleInfo } from '../console-info.js';
import { ResetOffsetsForm } from '../forms/reset-offsets-form.js';
import { formatCount, formatNumber, formatTime } from '../format.js';
import { href, navigate, type Route } from '../router.js';
import { useResource } from '../use-resource.js';

export function GroupPage({ groupId, route }: { groupId: string; route: Route }) {
  const info = useConsoleInfo();
  const offset = Number(route.query.get('offset') ?? 0) || 0;
  const group = useResource((signal) => getJson<GroupDetail>(`/groups/${enc(groupId)}`, { offset, limit: 100 }, signal), [groupId, offset], info.sampleIntervalMs);
  const g = group.data;
  const topics = g ? [...new Set(g.partitionPage.items.map((p) => p.topic))] : [];
  return (
    <>
      <PageHeading title={`Consumer group ${groupId}`} crumbs={[{ label: 'Consumer groups', href: '#/groups' }]} />
      <ErrorNotice error={group.error} />
      {g && (
        <>
          <dl class="stats">
            <div>
              <dt>State</dt>
              <dd class="state" data-testid="group-state">
                {g.state}
              </dd>
            </div>
            <div>
              <dt>Members</dt>
              <dd data-testid="group-members">{g.members.length}</dd>
            </div>
            <div>
              <dt>Total lag</dt>
              <dd data-testid="group-lag">{formatCount(g.totalLag)}</dd>
            </div>
            <div>
              <dt>Epoch</dt>
              <dd>{g.groupEpoch}</dd>
            </div>
            <div>
              <dt>Assignor</dt>
              <dd>{g.assignor ?? '–'}</dd>
            </div>
          </dl>
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
            <div class="table-wrap">
              <table aria-labelledby="members-heading">
                <thead>
                  <tr>
                    <th scope="col">Member</th>
                    <th scope="col">Client id</th>
                    <th scope="col">Instance id</th>
                    <th scope="col" class="num">
                      Epoch
                    </th>
                    <th scope="col">Partitions</th>
                    <th scope="col">Last heartbeat</th>
                  </tr>
                </thead>
                <tbody>
                  {g.members.map((m) => (
                    <tr key={m.memberId}>
                      <td>
                        <code>{m.memberId}</code>
                      </td>
                      <td>{m.clientId || '–'}</td>
                      <td>{m.instanceId ?? '–'}</td>
                      <td class="num">{m.memberEpoch}</td>
                      <td>
                        {m.partitionCount === 0 ? <span class="muted">none</span> : m.assignment.map((line) => <div key={line}>{line}</div>)}
                      </td>
                      <td>{formatTime(m.lastHeartbeatAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}

          <h2 id="offsets-heading">Offsets and lag</h2>
          <div class="table-wrap">
            <table aria-labelledby="offsets-heading">
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col" class="num">
                    Partition
                  </th>
                  <th scope="col" class="num">
                    Committed offset
                  </th>
                  <th scope="col" class="num">
                    Log end offset
                  </th>
                  <th scope="col" class="num">
                    Lag
                  </th>
                  <th scope="col">Owner</th>
                </tr>
              </thead>
              <tbody>
                {g.partitionPage.items.map((p) => (
                  <tr key={`${p.topic}:${p.partition}`}>
                    <td>
                      <a href={href(['topics', p.topic])}>{p.topic}</a>
                    </td>
                    <td class="num">{p.partition}</td>
                    <td class="num">{formatCount(p.committedOffset)}</td>
                    <td class="num">{formatCount(p.logEndOffset)}</td>
                    <td class="num">{formatCount(p.lag)}</td>
                    <td>{p.owner ? <code>{p.owner}</code> : <span class="muted">none</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={g.partitionPage} label="Group partitions" onOffset={(o) => navigate(href(['groups', groupId], { offset: o }))} />

          {!info.readOnly && <ResetOffsetsForm groupId={groupId} topics={topics} onDone={group.reload} />}
        </>
      )}
    </>
  );
}
