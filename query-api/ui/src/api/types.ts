/** The shapes of the public `/v1` API the page reads (see the README's query API section). */

export const STATUSES = [
  "pending",
  "running",
  "waiting_for_interaction",
  "completed",
  "failed",
  "cancelled",
] as const;
export type Status = (typeof STATUSES)[number];

export const TERMINAL: ReadonlySet<string> = new Set(["completed", "failed", "cancelled"]);

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
  toolFacets: { toolPath: string; count: number }[];
  interactionCounts: { withElicitation: number; withoutElicitation: number };
  chartBucketMs: number;
  chartData: { bucketStart: number; counts: Record<string, number> }[];
}

export interface ListPage {
  executions: ExecutionSummary[];
  nextCursor: string | null;
  hasMore?: boolean;
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
  status: string;
  startedAt: number;
  completedAt: number;
  durationMs: number;
  args: unknown;
  argsTruncated: boolean;
  result: unknown;
  resultTruncated: boolean;
  error: string | null;
  errorType: string | null;
  spanId: string;
}
