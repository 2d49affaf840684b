import type { MetricFamily, MetricLabel } from "../../contract/index.ts";
import { bucketSeconds, bucketStartMs, rfc3339 } from "./grid.ts";
import type { Measure } from "./measures.ts";
import type { MetricsQuery } from "./params.ts";
import type { BucketRow } from "./queries.ts";

/** Each series with data in the window, every bucket filled: Jaeger UI aligns quantiles by index. */
export function metricFamily(
  measure: Measure,
  q: MetricsQuery,
  rows: readonly BucketRow[],
): MetricFamily {
  const { grid } = q;
  const series = new Map<string, { labels: MetricLabel[]; values: (number | null)[] }>();
  for (const row of rows) {
    const key = JSON.stringify([row.service, row.operation]);
    let s = series.get(key);
    if (s === undefined) {
      const labels = [{ name: "service_name", value: row.service }];
      if (q.groupByOperation) labels.push({ name: "operation", value: row.operation });
      s = { labels, values: new Array<number | null>(grid.count).fill(measure.empty) };
      series.set(key, s);
    }
    s.values[row.bucket] = measure.point(row.value, bucketSeconds(grid, row.bucket));
  }
  const timestamps = Array.from({ length: grid.count }, (_, i) => rfc3339(bucketStartMs(grid, i)));
  return {
    name: q.groupByOperation ? measure.name.replace("service", "service_operation") : measure.name,
    type: "GAUGE",
    help: q.groupByOperation ? `${measure.help} & operation` : measure.help,
    metrics: [...series.values()].map(({ labels, values }) => ({
      labels,
      metricPoints: values.map((value, i) => ({
        gaugeValue: { doubleValue: value !== null && Number.isFinite(value) ? value : "NaN" },
        timestamp: timestamps[i]!,
      })),
    })),
  };
}
