/**
 * The markdown report and its charts: SVG rendered headless by vega + vega-lite
 * from the results of the run (nothing is drawn by hand).
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchResult } from './report.js';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

interface Chart {
  file: string;
  title: string;
  spec: TopLevelSpec;
}

const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', width: 420, height: 220 } as const;

function charts(results: BenchResult[]): Chart[] {
  const out: Chart[] = [];
  const latency = results.filter((r) => r.name.startsWith('latency.'));
  if (latency.length > 0) {
    const values = latency.flatMap((r) =>
      (['p50', 'p99', 'p999'] as const).map((q) => ({ series: `${r.name.replace('latency.', '')} · ${String(r.params?.model)}`, quantile: q, ms: Number(r[q]) })),
    );
    out.push({
      file: 'latency.svg',
      title: 'Produce and end-to-end latency under the storage latency models (ms)',
      spec: {
        ...base,
        height: 260,
        data: { values },
        mark: 'bar',
        encoding: {
          y: { field: 'series', type: 'nominal', title: null, axis: { labelLimit: 320 } },
          yOffset: { field: 'quantile', sort: ['p50', 'p99', 'p999'] },
          x: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
          color: { field: 'quantile', type: 'nominal', sort: ['p50', 'p99', 'p999'] },
        },
      },
    });
  }
  const scaling = results.filter((r) => r.name === 'scaling.partitions');
  if (scaling.length > 0) {
    const values = scaling.flatMap((r) => [
      { partitions: Number(r.params?.partitionsPerRequest), metric: 'S3 PUTs per request', value: Number(r.s3PutsPerRequest) },
      { partitions: Number(r.params?.partitionsPerRequest), metric: 'DynamoDB writes per request', value: Number(r.dynamoWritesPerRequest) },
    ]);
    out.push({
      file: 'scaling-partitions.svg',
      title: 'Requests per produce request as partitions per request grow',
      spec: {
        ...base,
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'partitions', type: 'quantitative', scale: { type: 'log' }, title: 'partitions per request' },
          y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'requests per produce request' },
          color: { field: 'metric', type: 'nominal' },
        },
      },
    });
  }
  const produceCost = results.filter((r) => r.name === 'cost.produce');
  if (produceCost.length > 0) {
    const values = produceCost.flatMap((r) => {
      const b = r.breakdown as Record<string, number>;
      return ['s3Requests', 'dynamodb', 'lambda'].map((k) => ({ requestKiB: Math.round(Number(r.params?.requestBytes) / 1024), part: k, dollars: b[k] ?? 0 }));
    });
    out.push({
      file: 'cost-produce.svg',
      title: '$ per GiB ingested by produce request size (16 partitions per request)',
      spec: {
        ...base,
        data: { values },
        mark: 'bar',
        encoding: {
          x: { field: 'requestKiB', type: 'ordinal', title: 'request size (KiB)' },
          y: { field: 'dollars', type: 'quantitative', title: '$ / GiB ingested', stack: true },
          color: { field: 'part', type: 'nominal' },
        },
      },
    });
  }
  const workloads = results.filter((r) => r.name === 'cost.workload');
  if (workloads.length > 0) {
    const values = workloads.flatMap((r) => {
      const peers = r.peers as Record<string, { total: number }>;
      return [
        { workload: String(r.params?.workload), system: 'Floe', dollars: r.value },
        { workload: String(r.params?.workload), system: 'Kinesis on-demand', dollars: peers.kinesisOnDemand?.total ?? 0 },
        { workload: String(r.params?.workload), system: 'MSK Serverless', dollars: peers.mskServerless?.total ?? 0 },
        { workload: String(r.params?.workload), system: 'Kafka on EC2, 3 AZ', dollars: peers.kafka3Az?.total ?? 0 },
      ];
    });
    out.push({
      file: 'cost-workloads.svg',
      title: '$ per month for the named workloads (log scale)',
      spec: {
        ...base,
        height: 260,
        data: { values },
        mark: 'bar',
        encoding: {
          y: { field: 'workload', type: 'nominal', title: null, axis: { labelLimit: 320 } },
          yOffset: { field: 'system' },
          x: { field: 'dollars', type: 'quantitative', scale: { type: 'log', domainMin: 10 }, stack: null, title: '$ / month' },
          color: { field: 'system', type: 'nominal' },
        },
      },
    });
  }
  const linger = results.filter((r) => r.name === 'cost.linger');
  if (linger.length > 0) {
    const values = linger.flatMap((r) => [
      { lingerMs: Number(r.params?.lingerMs), requestKiB: Math.round(Number(r.params?.requestBytes) / 1024), system: 'Floe', dollars: r.value },
      { lingerMs: Number(r.params?.lingerMs), requestKiB: Math.round(Number(r.params?.requestBytes) / 1024), system: 'Kinesis on-demand', dollars: r.comparison?.value ?? 0 },
    ]);
    out.push({
      file: 'cost-linger.svg',
      title: `$ per month against linger.ms (request size) for "${String(linger[0]!.params?.workload)}"`,
      spec: {
        ...base,
        data: { values },
        mark: { type: 'line', point: true, tooltip: true },
        encoding: {
          x: { field: 'lingerMs', type: 'quantitative', scale: { type: 'log' }, title: 'linger.ms (one producer; request KiB = linger.ms × 1 MiB/s)' },
          y: { field: 'dollars', type: 'quantitative', scale: { type: 'log' }, title: '$ / month' },
          color: { field: 'system', type: 'nominal' },
        },
      },
    });
  }
  const ratios = results.filter((r) => typeof r.ratio === 'number' && !r.name.startsWith('cost.') && !r.name.startsWith('latency.') && !r.name.startsWith('memory.'));
  if (ratios.length > 0) {
    out.push({
      file: 'ratios.svg',
      title: 'Throughput ratios measured side by side (ours / comparison; 1 = parity)',
      spec: {
        ...base,
        height: Math.max(160, ratios.length * 18),
        data: { values: ratios.map((r) => ({ bench: `${r.name} ${shortParams(r.params)}`, ratio: r.ratio })) },
        layer: [
          { mark: 'bar', encoding: { y: { field: 'bench', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } }, x: { field: 'ratio', type: 'quantitative' } } },
          { mark: { type: 'rule', color: 'red' }, encoding: { x: { datum: 1 } } },
        ],
      },
    });
  }
  return out;
}

function shortParams(params: Record<string, unknown> | undefined): string {
  if (!params) return '';
  return Object.entries(params)
    .filter(([, v]) => typeof v !== 'object')
    .slice(0, 3)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

const cell = (x: unknown) => String(x ?? '').replace(/\|/g, '\\|');

/** Writes report.md and the SVG charts into `dir`. */
export async function writeReport(dir: string, results: BenchResult[], command: string, seconds: number): Promise<void> {
  const lines: string[] = [
    '# Floe benchmark report',
    '',
    `Generated ${new Date().toISOString()} by \`${command}\` in ${seconds.toFixed(0)} s on ${availableParallelism()} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}.`,
    'Raw results: [latest.jsonl](latest.jsonl). How each benchmark works and what limits it: [docs/performance.md](../../docs/performance.md); prices and assumptions: [docs/cost-model.md](../../docs/cost-model.md).',
    '',
  ];
  for (const chart of charts(results)) {
    writeFileSync(`${dir}${chart.file}`, await renderSvg(chart.spec));
    lines.push(`## ${chart.title}`, '', `![${chart.title}](${chart.file})`, '');
  }
  lines.push('## Results', '', '| benchmark | parameters | value | comparison | ratio | target |', '| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const target = r.target as { value: number; unit: string } | undefined;
    lines.push(
      `| ${cell(r.name)} | ${cell(shortParams(r.params))} | ${cell(`${r.value} ${r.unit}`)} | ${cell(r.comparison ? `${r.comparison.value} ${r.comparison.unit} (${r.comparison.name})` : '')} | ${cell(r.ratio ?? '')} | ${cell(target ? `≤ ${target.value} ${target.unit}: ${r.targetMet ? 'met' : 'missed'}` : '')} |`,
    );
  }
  writeFileSync(`${dir}report.md`, `${lines.join('\n')}\n`);
}
