import type { Attributes, MetricPointBase, MetricRows } from "@runtrace/model";

/** Decoded metric points, plus the points that have no table and were dropped. */
export interface DecodedMetrics {
  rows: MetricRows;
  /** Exponential histogram and summary points: counted, not stored. */
  rejectedPoints: number;
  /** "" when nothing was rejected; otherwise for the partial-success response. */
  rejectMessage: string;
}

export function unsupportedMessage(rejectedPoints: number): string {
  return rejectedPoints === 0
    ? ""
    : `exponential histogram and summary points are not supported: ${rejectedPoints} rejected`;
}

/** Everything a point row takes from the messages around it. */
export type MetricContext = Omit<MetricPointBase, "attributes" | "startNs" | "timeNs" | "flags">;

/** A point's common columns: those of its resource, scope and metric, then its own. */
export function pointBase(
  c: MetricContext,
  attributes: Attributes,
  startNs: bigint,
  timeNs: bigint,
  flags: number,
): MetricPointBase {
  return {
    resource: c.resource,
    resourceSchemaUrl: c.resourceSchemaUrl,
    scopeName: c.scopeName,
    scopeVersion: c.scopeVersion,
    scopeAttributes: c.scopeAttributes,
    scopeDroppedAttrCount: c.scopeDroppedAttrCount,
    scopeSchemaUrl: c.scopeSchemaUrl,
    metricName: c.metricName,
    description: c.description,
    unit: c.unit,
    attributes,
    startNs,
    timeNs,
    flags,
  };
}
