import type { Registry } from 'prom-client';

interface Series {
  labels: { method: string; route: string; status_code: string };
  /** Observations per bucket (not cumulative); the last slot is above every bound (+Inf only). */
  buckets: number[];
  sum: number;
  count: number;
}

/** One exported sample, in the shape prom-client's Registry formats (as its own Histogram exports). */
interface Sample {
  labels: Record<string, string | number>;
  sharedLabels: Series['labels'];
  value: number;
  metricName: string;
  /** prom-client's bucket samples carry `exemplar: null` (none recorded). */
  exemplar?: null;
}

/**
 * The request-duration histogram (`http_request_duration_seconds{method,route,status_code}`), as
 * prom-client's Histogram exports it, but recorded for less: prom-client's `observe()` builds a
 * closure and a label hash string and validates the labels on every call (~3 % of a health
 * probe's CPU), while a request here costs three Map lookups and a bucket search. The registry
 * formats it like any metric of its own (`getForPromString`).
 */
export class RequestDurations {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Map<string, Map<number, Series>>>();
  /** Every series in the order it first appeared (the order prom-client exports them in). */
  private readonly ordered: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  observe(method: string, route: string, statusCode: number, seconds: number): void {
    let byRoute = this.series.get(method);
    if (!byRoute) this.series.set(method, (byRoute = new Map<string, Map<number, Series>>()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map<number, Series>()));
    let series = byStatus.get(statusCode);
    if (!series) {
      series = {
        labels: { method, route, status_code: String(statusCode) },
        buckets: new Array<number>(this.bounds.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      byStatus.set(statusCode, series);
      this.ordered.push(series);
    }
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > this.bounds[bucket]) bucket++;
    series.buckets[bucket]++;
    series.sum += seconds;
    series.count++;
  }

  getForPromString(): { name: string; help: string; type: string; values: Sample[]; aggregator: string } {
    const values: Sample[] = [];
    for (const series of this.ordered) {
      let cumulative = 0;
      this.bounds.forEach((le, index) => {
        cumulative += series.buckets[index];
        values.push(this.sample({ le }, cumulative, '_bucket', series));
      });
      values.push(this.sample({ le: '+Inf' }, series.count, '_bucket', series));
      values.push(this.sample({}, series.sum, '_sum', series));
      values.push(this.sample({}, series.count, '_count', series));
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** What `registry.getMetricsAsJSON()` reads: the labels of each sample in one object. */
  get() {
    const metric = this.getForPromString();
    return {
      ...metric,
      values: metric.values.map(({ sharedLabels, labels, ...sample }) => ({
        ...sample,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }

  reset(): void {
    this.series.clear();
    this.ordered.length = 0;
  }

  private sample(labels: Sample['labels'], value: number, suffix: string, series: Series): Sample {
    const sample: Sample = {
      labels,
      sharedLabels: series.labels,
      value,
      metricName: `${this.name}${suffix}`,
    };
    if (suffix === '_bucket') sample.exemplar = null;
    return sample;
  }
}
