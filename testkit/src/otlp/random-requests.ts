/**
 * Test support: seeded random OTLP requests, as plain objects in protobufjs's shape (camelCase
 * keys, 64-bit integers as decimal strings, bytes as Uint8Array). Used by tests.
 */

import type { SeededRandom } from "../random.ts";

export interface AnyValueObj {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: AnyValueObj[] };
  kvlistValue?: { values: KeyValueObj[] };
  bytesValue?: Uint8Array;
}
export interface KeyValueObj {
  key: string;
  value?: AnyValueObj;
}
export interface ResourceObj {
  attributes?: KeyValueObj[];
  droppedAttributesCount?: number;
}
interface ScopeObj {
  name?: string;
  version?: string;
  attributes?: KeyValueObj[];
  droppedAttributesCount?: number;
}
interface EventObj {
  timeUnixNano?: string;
  name?: string;
  attributes?: KeyValueObj[];
  droppedAttributesCount?: number;
}
interface LinkObj {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  traceState?: string;
  attributes?: KeyValueObj[];
  droppedAttributesCount?: number;
  flags?: number;
}
export interface SpanObj {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  traceState?: string;
  parentSpanId?: Uint8Array;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
  attributes?: KeyValueObj[];
  droppedAttributesCount?: number;
  events?: EventObj[];
  droppedEventsCount?: number;
  links?: LinkObj[];
  droppedLinksCount?: number;
  status?: { message?: string; code?: number };
  flags?: number;
}
export interface TracesRequestObj {
  resourceSpans: {
    resource?: ResourceObj;
    scopeSpans?: { scope?: ScopeObj; spans?: SpanObj[]; schemaUrl?: string }[];
    schemaUrl?: string;
  }[];
}
interface ExemplarObj {
  filteredAttributes?: KeyValueObj[];
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: string;
  spanId?: Uint8Array;
  traceId?: Uint8Array;
}
export interface NumberPointObj {
  attributes?: KeyValueObj[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: string;
  exemplars?: ExemplarObj[];
  flags?: number;
}
interface HistogramPointObj {
  attributes?: KeyValueObj[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  count?: string;
  sum?: number;
  bucketCounts?: string[];
  explicitBounds?: number[];
  exemplars?: ExemplarObj[];
  flags?: number;
  min?: number;
  max?: number;
}
interface MetricObj {
  name?: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints?: NumberPointObj[] };
  sum?: { dataPoints?: NumberPointObj[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: HistogramPointObj[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints?: object[]; aggregationTemporality?: number };
  summary?: { dataPoints?: object[] };
  metadata?: KeyValueObj[];
}
export interface MetricsRequestObj {
  resourceMetrics: {
    resource?: ResourceObj;
    scopeMetrics?: { scope?: ScopeObj; metrics?: MetricObj[]; schemaUrl?: string }[];
    schemaUrl?: string;
  }[];
}

const MULTIBYTE = ["é", "ß", "中", "文", "😀", "🚀", "Ω", "\u2028", "\u00a0", "\u0000", "\n"];
const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-/:"\\{}[],';
const KEYS = [
  "service.name",
  "http.method",
  "http.status_code",
  "db.statement",
  "__proto__",
  "constructor",
  "toString",
  "",
  "1",
  "2",
  "数",
];

export function randomString(rng: SeededRandom): string {
  switch (rng.below(10)) {
    case 0:
      return "";
    case 6:
    case 7: {
      let s = "";
      for (let i = rng.below(12) + 1; i > 0; i--) {
        s += rng.chance(0.5) ? rng.pick(MULTIBYTE) : ASCII[rng.below(ASCII.length)];
      }
      return s;
    }
    case 8: {
      let s = "";
      for (let i = rng.below(300) + 100; i > 0; i--) s += ASCII[rng.below(ASCII.length)];
      return s;
    }
    default: {
      let s = "";
      for (let i = rng.below(16) + 1; i > 0; i--) s += ASCII[rng.below(ASCII.length)];
      return s;
    }
  }
}

function randomKey(rng: SeededRandom): string {
  return rng.chance(0.4) ? rng.pick(KEYS) : randomString(rng);
}

const INT64_EDGES = [
  0n,
  1n,
  -1n,
  42n,
  -42n,
  127n,
  128n,
  2n ** 31n - 1n,
  -(2n ** 31n),
  2n ** 32n,
  2n ** 53n - 1n,
  -(2n ** 53n - 1n),
  2n ** 53n,
  -(2n ** 53n),
  2n ** 53n + 1n,
  -(2n ** 53n + 1n),
  2n ** 63n - 1n,
  -(2n ** 63n),
];

export function randomInt64(rng: SeededRandom): string {
  switch (rng.below(4)) {
    case 0:
      return rng.pick(INT64_EDGES).toString();
    case 1:
      return BigInt.asIntN(64, rng.big64()).toString();
    case 2:
      return String(rng.below(2000) - 1000);
    default:
      return String(rng.below(2 ** 40) - 2 ** 39);
  }
}

export function randomUint64(rng: SeededRandom): string {
  switch (rng.below(6)) {
    case 0:
      return rng.pick([
        "0",
        "1",
        "18446744073709551615",
        "9223372036854775808",
        "9007199254740993",
      ]);
    case 1:
      return rng.big64().toString();
    case 2:
      return String(rng.below(1000));
    default:
      // Plausible nanosecond timestamps (2020–2030).
      return (
        1_577_836_800_000_000_000n +
        BigInt(rng.below(2 ** 30)) * BigInt(rng.below(2 ** 28))
      ).toString();
  }
}

const DOUBLES = [
  0,
  -0,
  1,
  3,
  -3,
  1.5,
  0.1,
  -2.75,
  1e21,
  1e-7,
  5e-324,
  Number.MAX_VALUE,
  2 ** 53,
  2 ** 53 + 2,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

export function randomDouble(rng: SeededRandom): number {
  switch (rng.below(3)) {
    case 0:
      return rng.pick(DOUBLES);
    case 1:
      return (rng.next() - 0.5) * 10 ** rng.below(12);
    default:
      return rng.below(100000);
  }
}

function randomAnyValue(rng: SeededRandom, depth: number): AnyValueObj {
  switch (rng.below(depth < 3 ? 9 : 7)) {
    case 0:
    case 1:
      return { stringValue: randomString(rng) };
    case 2:
      return { boolValue: rng.chance(0.5) };
    case 3:
      return { intValue: randomInt64(rng) };
    case 4:
      return { doubleValue: randomDouble(rng) };
    case 5:
      return { bytesValue: rng.bytes(rng.below(20)) };
    case 6:
      return {};
    case 7: {
      const values: AnyValueObj[] = [];
      for (let i = rng.below(5); i > 0; i--) values.push(randomAnyValue(rng, depth + 1));
      return { arrayValue: { values } };
    }
    default: {
      const values: KeyValueObj[] = [];
      for (let i = rng.below(4); i > 0; i--) {
        // Unique keys: a JSON object cannot say which of two equal keys came first.
        const key = `${randomKey(rng)}#${i}`;
        values.push(rng.chance(0.1) ? { key } : { key, value: randomAnyValue(rng, depth + 1) });
      }
      return { kvlistValue: { values } };
    }
  }
}

export function randomAttributes(rng: SeededRandom, max: number): KeyValueObj[] | undefined {
  if (rng.chance(0.15)) return undefined;
  const list: KeyValueObj[] = [];
  for (let i = rng.below(max + 1); i > 0; i--) {
    const key = randomKey(rng);
    list.push(rng.chance(0.05) ? { key } : { key, value: randomAnyValue(rng, 0) });
  }
  return list;
}

function maybe<T>(rng: SeededRandom, make: () => T, p = 0.8): T | undefined {
  return rng.chance(p) ? make() : undefined;
}

function randomId(rng: SeededRandom, size: number): Uint8Array | undefined {
  // Mostly valid; sometimes absent, empty or the wrong size (the mapper's problem, not ours).
  switch (rng.below(12)) {
    case 0:
      return undefined;
    case 1:
      return new Uint8Array(0);
    case 2:
      return rng.bytes(3);
    case 3:
      return rng.bytes(size + 4);
    default:
      return rng.bytes(size);
  }
}

function randomResource(rng: SeededRandom): ResourceObj | undefined {
  return maybe(rng, () => {
    const attributes = randomAttributes(rng, 6) ?? [];
    if (rng.chance(0.7))
      attributes.unshift({ key: "service.name", value: { stringValue: randomString(rng) } });
    return { attributes, droppedAttributesCount: maybe(rng, () => rng.below(5), 0.3) };
  });
}

function randomScope(rng: SeededRandom): ScopeObj | undefined {
  return maybe(rng, () => ({
    name: maybe(rng, () => randomString(rng)),
    version: maybe(rng, () => randomString(rng)),
    attributes: maybe(rng, () => randomAttributes(rng, 3), 0.4),
    droppedAttributesCount: maybe(rng, () => rng.below(5), 0.3),
  }));
}

function randomSpan(rng: SeededRandom): SpanObj {
  const events: EventObj[] = [];
  for (let i = rng.below(4); i > 0; i--) {
    events.push({
      timeUnixNano: maybe(rng, () => randomUint64(rng)),
      name: maybe(rng, () => randomString(rng)),
      attributes: randomAttributes(rng, 4),
      droppedAttributesCount: maybe(rng, () => rng.below(5), 0.3),
    });
  }
  const links: LinkObj[] = [];
  for (let i = rng.below(3); i > 0; i--) {
    links.push({
      traceId: randomId(rng, 16),
      spanId: randomId(rng, 8),
      traceState: maybe(rng, () => randomString(rng), 0.4),
      attributes: randomAttributes(rng, 3),
      droppedAttributesCount: maybe(rng, () => rng.below(5), 0.3),
      flags: maybe(rng, () => rng.u32(), 0.5),
    });
  }
  return {
    traceId: randomId(rng, 16),
    spanId: randomId(rng, 8),
    traceState: maybe(rng, () => randomString(rng), 0.3),
    parentSpanId: maybe(rng, () => randomId(rng, 8), 0.6),
    name: maybe(rng, () => randomString(rng), 0.9),
    kind: maybe(rng, () => (rng.chance(0.9) ? rng.below(6) : rng.pick([6, 9, -1, 1000]))),
    startTimeUnixNano: maybe(rng, () => randomUint64(rng), 0.9),
    endTimeUnixNano: maybe(rng, () => randomUint64(rng), 0.9),
    attributes: randomAttributes(rng, 12),
    droppedAttributesCount: maybe(rng, () => rng.below(100), 0.3),
    events: rng.chance(0.7) ? events : undefined,
    droppedEventsCount: maybe(rng, () => rng.below(100), 0.3),
    links: rng.chance(0.7) ? links : undefined,
    droppedLinksCount: maybe(rng, () => rng.below(100), 0.3),
    status: maybe(
      rng,
      () => ({
        message: maybe(rng, () => randomString(rng)),
        code: maybe(rng, () => (rng.chance(0.9) ? rng.below(3) : 7)),
      }),
      0.6,
    ),
    flags: maybe(rng, () => rng.u32(), 0.5),
  };
}

export function randomTracesRequest(rng: SeededRandom): TracesRequestObj {
  const resourceSpans: TracesRequestObj["resourceSpans"] = [];
  for (let i = rng.below(3) + 1; i > 0; i--) {
    const scopeSpans: NonNullable<TracesRequestObj["resourceSpans"][number]["scopeSpans"]> = [];
    for (let j = rng.below(3) + (rng.chance(0.9) ? 1 : 0); j > 0; j--) {
      const spans: SpanObj[] = [];
      for (let k = rng.below(4) + 1; k > 0; k--) spans.push(randomSpan(rng));
      scopeSpans.push({
        scope: randomScope(rng),
        spans,
        schemaUrl: maybe(rng, () => randomString(rng), 0.3),
      });
    }
    resourceSpans.push({
      resource: randomResource(rng),
      scopeSpans,
      schemaUrl: maybe(rng, () => randomString(rng), 0.3),
    });
  }
  return { resourceSpans };
}

function randomExemplars(rng: SeededRandom): ExemplarObj[] | undefined {
  if (rng.chance(0.7)) return undefined;
  const out: ExemplarObj[] = [];
  for (let i = rng.below(3); i > 0; i--) {
    out.push({
      filteredAttributes: randomAttributes(rng, 2),
      timeUnixNano: randomUint64(rng),
      ...(rng.chance(0.5) ? { asDouble: randomDouble(rng) } : { asInt: randomInt64(rng) }),
      spanId: rng.bytes(8),
      traceId: rng.bytes(16),
    });
  }
  return out;
}

function randomNumberPoint(rng: SeededRandom): NumberPointObj {
  const value = rng.below(3);
  return {
    attributes: randomAttributes(rng, 5),
    startTimeUnixNano: maybe(rng, () => randomUint64(rng), 0.9),
    timeUnixNano: maybe(rng, () => randomUint64(rng), 0.9),
    ...(value === 0
      ? { asDouble: randomDouble(rng) }
      : value === 1
        ? { asInt: randomInt64(rng) }
        : {}),
    exemplars: randomExemplars(rng),
    flags: maybe(rng, () => rng.u32(), 0.3),
  };
}

function randomHistogramPoint(rng: SeededRandom): HistogramPointObj {
  const bounds: number[] = [];
  for (let i = rng.below(6); i > 0; i--) bounds.push(randomDouble(rng));
  const counts: string[] = [];
  for (let i = bounds.length + (rng.chance(0.9) ? 1 : 0); i > 0; i--)
    counts.push(randomUint64(rng));
  return {
    attributes: randomAttributes(rng, 5),
    startTimeUnixNano: maybe(rng, () => randomUint64(rng), 0.9),
    timeUnixNano: maybe(rng, () => randomUint64(rng), 0.9),
    count: maybe(rng, () => randomUint64(rng)),
    sum: maybe(rng, () => randomDouble(rng)),
    bucketCounts: maybe(rng, () => counts),
    explicitBounds: maybe(rng, () => bounds),
    exemplars: randomExemplars(rng),
    flags: maybe(rng, () => rng.u32(), 0.3),
    min: maybe(rng, () => randomDouble(rng), 0.6),
    max: maybe(rng, () => randomDouble(rng), 0.6),
  };
}

function repeat<T>(rng: SeededRandom, max: number, make: () => T): T[] {
  const out: T[] = [];
  for (let i = rng.below(max + 1); i > 0; i--) out.push(make());
  return out;
}

function randomMetric(rng: SeededRandom): MetricObj {
  const metric: MetricObj = {
    name: maybe(rng, () => randomString(rng), 0.95),
    description: maybe(rng, () => randomString(rng), 0.5),
    unit: maybe(rng, () => randomString(rng), 0.5),
    metadata: maybe(rng, () => randomAttributes(rng, 2), 0.2),
  };
  const temporality = (): number | undefined =>
    maybe(rng, () => (rng.chance(0.9) ? rng.below(3) : 5), 0.9);
  switch (rng.below(7)) {
    case 0:
      metric.gauge = { dataPoints: repeat(rng, 4, () => randomNumberPoint(rng)) };
      break;
    case 1:
    case 2:
      metric.sum = {
        dataPoints: repeat(rng, 4, () => randomNumberPoint(rng)),
        aggregationTemporality: temporality(),
        isMonotonic: maybe(rng, () => rng.chance(0.5)),
      };
      break;
    case 3:
    case 4:
      metric.histogram = {
        dataPoints: repeat(rng, 4, () => randomHistogramPoint(rng)),
        aggregationTemporality: temporality(),
      };
      break;
    case 5:
      metric.exponentialHistogram = {
        dataPoints: repeat(rng, 3, () => ({
          attributes: randomAttributes(rng, 2),
          timeUnixNano: randomUint64(rng),
          count: randomUint64(rng),
          sum: randomDouble(rng),
          scale: rng.below(20) - 10,
          zeroCount: randomUint64(rng),
          positive: {
            offset: rng.below(10) - 5,
            bucketCounts: repeat(rng, 4, () => String(rng.below(100))),
          },
          exemplars: randomExemplars(rng),
          zeroThreshold: randomDouble(rng),
        })),
        aggregationTemporality: temporality(),
      };
      break;
    default:
      if (rng.chance(0.8)) {
        metric.summary = {
          dataPoints: repeat(rng, 3, () => ({
            attributes: randomAttributes(rng, 2),
            count: randomUint64(rng),
            sum: randomDouble(rng),
            quantileValues: repeat(rng, 3, () => ({
              quantile: rng.next(),
              value: randomDouble(rng),
            })),
          })),
        };
      }
  }
  return metric;
}

export function randomMetricsRequest(rng: SeededRandom): MetricsRequestObj {
  return {
    resourceMetrics: repeat(rng, 3, () => ({
      resource: randomResource(rng),
      scopeMetrics: repeat(rng, 3, () => ({
        scope: randomScope(rng),
        metrics: repeat(rng, 4, () => randomMetric(rng)),
        schemaUrl: maybe(rng, () => randomString(rng), 0.5),
      })),
      schemaUrl: maybe(rng, () => randomString(rng), 0.5),
    })),
  };
}
