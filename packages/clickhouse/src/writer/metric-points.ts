import type { MetricPointBase, MetricRows } from "@runtrace/model";
import type { WriteLane } from "../connection/client.ts";

/**
 * A metric point is one value of one series at one time: metric, resource, instrumentation
 * scope, attributes, start and time. A client that sends a request again (after a partial
 * failure answered 503, or a lost acknowledgement) sends the same points; those already stored
 * are dropped here, by a primary-key read of the points of the same services, metrics and
 * times. (Two collectors storing one point at the same instant may both keep it; the stats
 * reads count a point once.)
 */

function canonical(values: Record<string, string>): string {
  return JSON.stringify(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function identity(
  metric: string,
  service: string,
  resource: Record<string, string>,
  scopeName: string,
  scopeVersion: string,
  attributes: Record<string, string>,
  startNs: string,
  timeNs: string,
): string {
  return [
    metric,
    service,
    canonical(resource),
    scopeName,
    scopeVersion,
    canonical(attributes),
    startNs,
    timeNs,
  ].join("\u0000");
}

function pointIdentity(p: MetricPointBase): string {
  return identity(
    p.metricName,
    p.resource.serviceName,
    p.resource.attributes.values,
    p.scopeName,
    p.scopeVersion,
    p.attributes.values,
    String(p.startNs),
    String(p.timeNs),
  );
}

interface StoredPoint {
  MetricName: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  Attributes: Record<string, string>;
  start_ns: string;
  time_ns: string;
}

async function storedIdentities(
  lane: WriteLane,
  table: string,
  points: readonly MetricPointBase[],
): Promise<Set<string>> {
  let min = points[0]!.timeNs;
  let max = min;
  for (const p of points) {
    if (p.timeNs < min) min = p.timeNs;
    if (p.timeNs > max) max = p.timeNs;
  }
  const rows = await lane.selectForWrite<StoredPoint>(
    `SELECT MetricName, ServiceName, ResourceAttributes, ScopeName, ScopeVersion, Attributes,
       toString(toUnixTimestamp64Nano(StartTimeUnix)) AS start_ns,
       toString(toUnixTimestamp64Nano(TimeUnix)) AS time_ns
     FROM ${table}
     WHERE ServiceName IN {services:Array(String)} AND MetricName IN {metrics:Array(String)}
       AND TimeUnix >= fromUnixTimestamp64Nano({min:Int64})
       AND TimeUnix <= fromUnixTimestamp64Nano({max:Int64})`,
    {
      services: [...new Set(points.map((p) => p.resource.serviceName))],
      metrics: [...new Set(points.map((p) => p.metricName))],
      min: String(min),
      max: String(max),
    },
  );
  return new Set(
    rows.map((r) =>
      identity(
        r.MetricName,
        r.ServiceName,
        r.ResourceAttributes,
        r.ScopeName,
        r.ScopeVersion,
        r.Attributes,
        r.start_ns,
        r.time_ns,
      ),
    ),
  );
}

async function fresh<T extends MetricPointBase>(
  lane: WriteLane,
  table: string,
  points: readonly T[],
): Promise<T[]> {
  if (points.length === 0) return [];
  const stored = await storedIdentities(lane, table, points);
  const out: T[] = [];
  for (const p of points) {
    const id = pointIdentity(p);
    if (stored.has(id)) continue;
    // A point repeated within the batch is kept once.
    stored.add(id);
    out.push(p);
  }
  return out;
}

/** The points of `metrics` not stored yet (nor repeated within them). */
export async function newMetricPoints(lane: WriteLane, metrics: MetricRows): Promise<MetricRows> {
  return {
    sums: await fresh(lane, "otel_metrics_sum", metrics.sums),
    gauges: await fresh(lane, "otel_metrics_gauge", metrics.gauges),
    histograms: await fresh(lane, "otel_metrics_histogram", metrics.histograms),
  };
}
