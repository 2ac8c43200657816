// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4) at GET /metrics. Label values must come from a bounded set
// (route patterns, not raw paths) or the series count grows without limit.

type Labels = Record<string, string>;

interface Metric {
  render(): string;
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) pairs.push(`${extra[0]}="${extra[1]}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

const formatNumber = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

abstract class LabelledMetric<Series> implements Metric {
  protected readonly series = new Map<string, { values: string[]; state: Series }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly type: string,
  ) {}

  protected seriesFor(labels: Labels): Series {
    const values = this.labelNames.map((name) => labels[name] ?? '');
    const id = values.join('\u0000');
    let entry = this.series.get(id);
    if (!entry) {
      entry = { values, state: this.initial() };
      this.series.set(id, entry);
    }
    return entry.state;
  }

  protected abstract initial(): Series;
  protected abstract lines(values: string[], state: Series): string[];

  render(): string {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { values, state } of this.series.values()) out.push(...this.lines(values, state));
    return out.join('\n');
  }
}

export class Counter extends LabelledMetric<{ value: number }> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'counter');
  }
  inc(labels: Labels = {}, by = 1): void {
    this.seriesFor(labels).value += by;
  }
  protected initial() {
    return { value: 0 };
  }
  protected lines(values: string[], state: { value: number }) {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatNumber(state.value)}`];
  }
}

export class Gauge extends LabelledMetric<{ value: number }> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'gauge');
  }
  set(labels: Labels, value: number): void {
    this.seriesFor(labels).value = value;
  }
  inc(labels: Labels = {}, by = 1): void {
    this.seriesFor(labels).value += by;
  }
  dec(labels: Labels = {}, by = 1): void {
    this.seriesFor(labels).value -= by;
  }
  protected initial() {
    return { value: 0 };
  }
  protected lines(values: string[], state: { value: number }) {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatNumber(state.value)}`];
  }
}

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

export const DEFAULT_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram extends LabelledMetric<HistogramSeries> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    readonly buckets: readonly number[] = DEFAULT_SECONDS_BUCKETS,
  ) {
    super(name, help, labelNames, 'histogram');
  }
  observe(labels: Labels, value: number): void {
    const series = this.seriesFor(labels);
    series.sum += value;
    series.count += 1;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) series.counts[i]! += 1;
  }
  protected initial(): HistogramSeries {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  protected lines(values: string[], state: HistogramSeries) {
    const lines = this.buckets.map(
      (le, i) => `${this.name}_bucket${labelText(this.labelNames, values, ['le', String(le)])} ${state.counts[i]}`,
    );
    lines.push(`${this.name}_bucket${labelText(this.labelNames, values, ['le', '+Inf'])} ${state.count}`);
    lines.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatNumber(state.sum)}`);
    lines.push(`${this.name}_count${labelText(this.labelNames, values)} ${state.count}`);
    return lines;
  }
}

export class Registry {
  readonly #metrics = new Map<string, Metric>();

  /** Adds a metric; registering a name twice is a bug, so it throws. */
  register<M extends Metric & { name: string }>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(new Counter(name, help, labelNames));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(new Gauge(name, help, labelNames));
  }
  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, labelNames, buckets));
  }

  render(): string {
    return `${[...this.#metrics.values()].map((m) => m.render()).join('\n')}\n`;
  }
}

/** The metrics every server exposes; streaming adds its own to the same registry. */
export function createServerMetrics(registry = new Registry()) {
  return {
    registry,
    httpRequests: registry.counter('flagstaff_http_requests_total', 'HTTP requests by route and status.', ['method', 'route', 'status']),
    httpDuration: registry.histogram('flagstaff_http_request_duration_seconds', 'HTTP request latency by route.', ['method', 'route']),
    changes: registry.counter('flagstaff_changes_total', 'Committed changes (flags, segments, keys…) by environment and action.', [
      'env',
      'action',
    ]),
    processStart: registry.gauge('flagstaff_process_start_time_seconds', 'Start time of the process (Unix seconds).'),
  };
}

export type ServerMetrics = ReturnType<typeof createServerMetrics>;
