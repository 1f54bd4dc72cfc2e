/** Cluster overview: counts, records and bytes, and produce / fetch rates over the last minutes. */
import type { Overview } from '../../shared/api-types.js';
import { LineChart } from '../components/line-chart.js';
import { ErrorNotice } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { StatList } from '../components/stat-list.js';
import { useConsoleInfo } from '../console-info.js';
import { formatBytes, formatClock, formatCount, formatRate } from '../format.js';
import { useSampledJson } from '../use-sampled-json.js';

export function OverviewPage() {
  const info = useConsoleInfo();
  const overview = useSampledJson<Overview>('/overview');
  const o = overview.data;
  const seconds = Math.round(info.sampleIntervalMs / 1000);
  return (
    <>
      <PageHeading title="Cluster overview" />
      <ErrorNotice error={overview.error} />
      {o && (
        <>
          <StatList
            stats={[
              { label: 'Topics', value: <a href="#/topics">{formatCount(o.topics)}</a> },
              { label: 'Partitions', value: formatCount(o.partitions) },
              { label: 'Records', value: formatCount(o.records) },
              { label: 'Bytes written', value: formatBytes(o.bytes) },
              { label: 'Consumer groups', value: <a href="#/groups">{formatCount(o.groups)}</a> },
            ]}
          />
          <LineChart
            caption="Produce and fetch rate, records per second"
            format={formatRate}
            emptyText={`Collecting samples: one every ${seconds} s while the console is open.`}
            series={[
              { label: 'Produce', color: '#0b57d0', points: o.rates.map((r) => ({ t: r.t, v: r.produce })) },
              { label: 'Fetch (consumer groups)', color: '#b3261e', dashed: true, points: o.rates.map((r) => ({ t: r.t, v: r.fetch })) },
            ]}
          />
          <p class="hint">
            {o.sampledAt === null ? 'Not sampled yet.' : `Records, bytes and rates as of ${formatClock(o.sampledAt)}.`} The console samples the cluster every{' '}
            {seconds} s while someone is looking and keeps the last points in memory. Fetch rate counts progress of consumer groups' committed offsets.
          </p>
        </>
      )}
    </>
  );
}
