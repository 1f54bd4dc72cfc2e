/** One topic: summary, configs, server-paged partitions with offsets, and the write forms. */
import type { TopicDetail } from '../../shared/api-types.js';
import { enc, getJson } from '../api.js';
import { ErrorNotice, Notice } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { Pager } from '../components/pager.js';
import { useConsoleInfo } from '../console-info.js';
import { AddPartitionsForm } from '../forms/add-partitions-form.js';
import { ProduceForm } from '../forms/produce-form.js';
import { formatBytes, formatCount } from '../format.js';
import { href, navigate, type Route } from '../router.js';
import { useResource } from '../use-resource.js';

export function TopicPage({ name, route }: { name: string; route: Route }) {
  const info = useConsoleInfo();
  const offset = Number(route.query.get('offset') ?? 0) || 0;
  const topic = useResource((signal) => getJson<TopicDetail>(`/topics/${enc(name)}`, { offset, limit: 100 }, signal), [name, offset], info.sampleIntervalMs);
  const t = topic.data;
  return (
    <>
      <PageHeading title={`Topic ${name}`} crumbs={[{ label: 'Topics', href: '#/topics' }]} />
      {route.query.get('created') && <Notice kind="ok">Topic {name} created.</Notice>}
      <ErrorNotice error={topic.error} />
      {t && (
        <>
          <dl class="stats">
            <div>
              <dt>Partitions</dt>
              <dd>{formatCount(t.partitions)}</dd>
            </div>
            <div>
              <dt>Records</dt>
              <dd>{formatCount(t.records)}</dd>
            </div>
            <div>
              <dt>Bytes written</dt>
              <dd>{formatBytes(t.bytes)}</dd>
            </div>
          </dl>
          <p>
            <a href={href(['topics', name, 'messages'], { partition: 0, mode: 'latest' })}>Browse messages</a>
            <span class="muted"> · topic id {t.topicId}</span>
          </p>

          <h2 id="configs-heading">Configs</h2>
          <table aria-labelledby="configs-heading">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="num">
                  Value
                </th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(t.configs).map(([k, v]) => (
                <tr key={k}>
                  <td>{k}</td>
                  <td class="num">{formatCount(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <h2 id="partitions-heading">Partitions</h2>
          <div class="table-wrap">
            <table aria-labelledby="partitions-heading">
              <thead>
                <tr>
                  <th scope="col" class="num">
                    Partition
                  </th>
                  <th scope="col" class="num">
                    Log start offset
                  </th>
                  <th scope="col" class="num">
                    Log end offset
                  </th>
                  <th scope="col" class="num">
                    Records
                  </th>
                  <th scope="col" class="num">
                    Bytes written
                  </th>
                  <th scope="col">Messages</th>
                </tr>
              </thead>
              <tbody>
                {t.partitionPage.items.map((p) => (
                  <tr key={p.partition}>
                    <td class="num">{p.partition}</td>
                    <td class="num">{formatCount(p.logStartOffset)}</td>
                    <td class="num">{formatCount(p.logEndOffset)}</td>
                    <td class="num">{formatCount(p.records)}</td>
                    <td class="num">{formatBytes(p.bytes)}</td>
                    <td>
                      <a href={href(['topics', name, 'messages'], { partition: p.partition, mode: 'latest' })} aria-label={`Browse partition ${p.partition}`}>
                        Browse
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={t.partitionPage} label="Partitions" onOffset={(o) => navigate(href(['topics', name], { offset: o }))} />

          {!info.readOnly && (
            <>
              <ProduceForm topic={name} partitions={t.partitions} />
              <AddPartitionsForm topic={name} current={t.partitions} onDone={topic.reload} />
            </>
          )}
        </>
      )}
    </>
  );
}
