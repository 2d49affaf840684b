/** The shapes of the public `/v1` API the page reads (see the README's query API section). */
import { EXECUTION_STATUSES } from "@runtrace/semconv";

/** The six statuses, in the order the API counts them. */
export const STATUSES = EXECUTION_STATUSES;

export interface Trigger {
  kind: string | null;
  meta: Record<string, unknown> | null;
}

export interface PendingInteraction {
  id: string;
  kind: string;
  purpose?: string | null;
  createdAt: number;
  [key: string]: unknown;
}

export interface ExecutionSummary {
  id: string;
  scope: string;
  status: string;
  stale: boolean;
  trigger: Trigger | null;
  runtime: string | null;
  codePreview: string;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
  updatedAt: number;
  toolCallCount: number;
  interactionCount: number;
  hadElicitation: boolean;
  pendingInteraction: PendingInteraction | null;
  traceId: string | null;
}

export interface ListMeta {
  totalRowCount: number;
  filterRowCount: number;
  statusCounts: { status: string; count: number }[];
  triggerCounts: { triggerKind: string; count: number }[];
  /** Per path: `runs` that called it (what picking it lists), its `calls`; `count` = calls. */
  toolFacets: { toolPath: string; count: number; runs: number; calls: number }[];
  /** Every scope the token may read with runs in the range (no other filter applies). */
  scopeCounts: { scope: string; count: number }[];
  interactionCounts: { withElicitation: number; withoutElicitation: number };
  chartBucketMs: number;
  chartData: { bucketStart: number; counts: Record<string, number> }[];
  chartFrom: number;
  chartTo: number;
  /** `chart=runs` narrowed the chart to the part of the range that holds runs. */
  chartZoomed: boolean;
  /**
   * A code filter's counts stopped at the server's budget: the counts named cover runs started
   * from `countedFrom` to the range's end only (lower bounds). Null: every count is exact.
   */
  partial: { countedFrom: number; counts: string[] } | null;
}

export interface ListPage {
  executions: ExecutionSummary[];
  nextCursor: string | null;
  /** Live mode (`after`, `updatedSince`): more wait; poll again at once with `nextCursor`. */
  hasMore?: boolean;
  /** First pages: where live mode starts (`after` and `updatedSince` take it). */
  liveCursor?: string;
  meta?: ListMeta;
}

export interface InteractionDetail {
  id: string;
  kind: string;
  purpose: string | null;
  status: string;
  payload: unknown;
  payloadTruncated: boolean;
  response: unknown;
  responseTruncated: boolean;
  createdAt: number;
  resolvedAt: number | null;
}

export interface ExecutionDetail extends ExecutionSummary {
  code: string;
  codeTruncated: boolean;
  result: unknown;
  resultTruncated: boolean;
  error: string | null;
  errorType: string | null;
  logs: { time: number; severity: string; message: string }[];
  interactions: InteractionDetail[];
  spanId: string | null;
  serviceName: string | null;
}

export interface ToolCall {
  id: string;
  toolPath: string;
  namespace: string | null;
  /** `completed`, `failed`, or `running` (in flight: no end, no span yet). */
  status: string;
  startedAt: number;
  completedAt: number | null;
  durationMs: number | null;
  args: unknown;
  argsTruncated: boolean;
  result: unknown;
  resultTruncated: boolean;
  error: string | null;
  errorType: string | null;
  spanId: string | null;
}
