/**
 * The shapes of the API the page reads: the query API's contract (its zod schemas' types),
 * imported as types only, so nothing of the server reaches the browser bundle.
 */
import { EXECUTION_STATUSES } from "@runtrace/semconv";

export type {
  About,
  DurationQuantile,
  ErrorBody,
  ErrorGroups,
  ExecutionDetail,
  ExecutionList as ListPage,
  ExecutionListMeta as ListMeta,
  ExecutionNumbers,
  ExecutionSummary,
  ExecutionTrace,
  InteractionDetail,
  ToolCall,
  ToolCallList,
  ToolNumbers,
  TraceSpan,
  Trigger,
} from "@runtrace/query-api/contract";

/** The six statuses, in the order the API counts them. */
export const STATUSES = EXECUTION_STATUSES;
