import { EXECUTION_STATUS_ALIASES, EXECUTION_STATUSES } from "@runtrace/semconv";
import { z } from "zod";
import { commaList, epochMs, timeParam } from "./params.ts";

/** `/v1/executions`: the run list with its counts, one run, its tool calls, its trace. */

const ExecutionStatus = z.enum(EXECUTION_STATUSES);

/** The counts a code filter's budget can cut short. */
export const PARTIAL_COUNTS = [
  "filterRowCount",
  "statusCounts",
  "triggerCounts",
  "toolFacets",
  "interactionCounts",
  "chartData",
] as const;
export type PartialCount = (typeof PARTIAL_COUNTS)[number];

/** The list's sort fields and directions (`sort=field,direction`; the direction defaults to desc). */
export const SORT_FIELDS = ["createdAt", "durationMs"] as const;
export const SORT_DIRECTIONS = ["desc", "asc"] as const;
const SORTS = SORT_FIELDS.flatMap((f) => [f, ...SORT_DIRECTIONS.map((d) => `${f},${d}`)]);

/** `GET /v1/executions`: the filters, the order, paging, live mode and the counts. */
export const ListQuery = z.strictObject({
  status: commaList.optional().meta({
    description: `Comma list of ${EXECUTION_STATUSES.join(", ")} (ORed), any case; also ${Object.entries(
      EXECUTION_STATUS_ALIASES,
    )
      .map(([word, status]) => `${word} (${status})`)
      .join(", ")}.`,
  }),
  trigger: commaList
    .optional()
    .meta({ description: "Comma list of trigger kinds (ORed); `unknown` = no trigger." }),
  tool: commaList.optional().meta({
    description:
      "Comma list of tool paths, exact or `namespace.*` (a bare namespace without a dot, `github`, reads as `github.*`); a run matches if any of its tool calls does.",
  }),
  from: timeParam.optional().meta({
    description:
      "Inclusive lower bound on createdAt: epoch ms, RFC 3339, or relative to now (`15m`, `1h`, `7d`, `2w`).",
  }),
  to: timeParam.optional().meta({
    description:
      "Inclusive upper bound on createdAt: epoch ms, RFC 3339, or relative to now (`15m`, `1h`, `7d`, `2w`).",
  }),
  code: z
    .string()
    .max(1000, "at most 1000 characters")
    .optional()
    .meta({ description: "Case-insensitive substring of the stored code." }),
  elicitation: z
    .enum(["true", "false"])
    .optional()
    .meta({ description: "`true`: runs with an interaction; `false`: without." }),
  errorGroup: z
    .string()
    .regex(
      /^[0-9a-f]{16}$/,
      "expected an error group id (16 hex digits) from /v1/executions/errors",
    )
    .optional()
    .meta({
      description:
        "Failed runs of one error group (an id from `/v1/executions/errors`): the same error type and message once numbers, ids and quoted values are masked.",
    }),
  scope: commaList
    .optional()
    .meta({ description: "Comma list of scopes (default: every scope the token may read)." }),
  id: commaList
    .refine((ids) => ids.length <= 20, "at most 20 ids")
    .refine((ids) => ids.every((id) => id.length <= 200), "an id is at most 200 characters")
    .optional()
    .meta({
      description:
        "Comma list of up to 20 execution ids or trace ids, exact (ORed): the runs they name, within the other filters. Another scope's id finds nothing.",
    }),
  sort: z
    .string()
    .optional()
    .meta({
      description:
        "`createdAt,desc` (default), `createdAt,asc`, `durationMs,desc`, `durationMs,asc`. Runs without a duration come last; ties by id.",
      override: { enum: SORTS },
    }),
  limit: z
    .string()
    .regex(/^\d+$/, "expected an integer from 1 to 200")
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, "expected an integer from 1 to 200")
    .optional()
    .meta({ description: "1–200, default 50." }),
  cursor: z.string().min(1).optional().meta({
    description:
      "Opaque keyset cursor from `nextCursor`; only valid with the sort it was made for.",
  }),
  after: z.string().min(1).optional().meta({
    description:
      "Live mode, in arrival order: a `liveCursor` or `nextCursor`, or a time (epoch ms / RFC 3339, ClickHouse's clock). Returns every run whose first row reached ClickHouse after it, however long ago the run started, each once, oldest arrival first, at most `limit`, up to the arrival boundary (the start of the oldest run-row insert still running: nothing before it can still appear). Not with `cursor`, `updatedSince` or a `sort`.",
  }),
  updatedSince: z.string().min(1).optional().meta({
    description:
      "Live mode, in order of change: a `liveCursor` or `nextCursor`, or a time. Returns every run whose current version first arrived after it (it finished, gained a tool call or an interaction) or that went stale after it, oldest change first, up to the arrival boundary. Not with `cursor`, `after` or a `sort`.",
  }),
  meta: z.enum(["true", "false", "only"]).optional().meta({
    description:
      "`false` skips meta on a first page; `only` answers meta alone (no runs, no reading of the page), so a client can show the page without waiting for the counts.",
  }),
  chart: z.enum(["range", "runs"]).optional().meta({
    description:
      "The timeline's window: `range` (default: from–to) or `runs` (zoomed into the part that holds the filtered runs when they fill less than half of it, up to three steps).",
  }),
});

export const DEFAULT_EXPORT_ROWS = 10_000;
export const MAX_EXPORT_ROWS = 100_000;

/** The list's filters and sort without its paging, live mode and counts. */
const SortedFilterQuery = ListQuery.omit({
  limit: true,
  cursor: true,
  after: true,
  updatedSince: true,
  meta: true,
  chart: true,
});

/** `GET /v1/executions/export`: the list's filters and sort, a format and a row limit. */
export const ExportQuery = SortedFilterQuery.extend({
  format: z.enum(["csv", "jsonl"]).optional().meta({
    description:
      "`csv` (default; a header row, RFC 4180 quoting) or `jsonl` (one run per line, as the list's rows).",
  }),
  rows: z
    .string()
    .regex(/^\d+$/, `expected an integer from 1 to ${MAX_EXPORT_ROWS}`)
    .transform(Number)
    .refine(
      (n) => n >= 1 && n <= MAX_EXPORT_ROWS,
      `expected an integer from 1 to ${MAX_EXPORT_ROWS}`,
    )
    .optional()
    .meta({
      description: `Most runs exported, 1–${MAX_EXPORT_ROWS}, default ${DEFAULT_EXPORT_ROWS}; the answer's X-Runtrace-Row-Limit header repeats it.`,
    }),
});
export type ExportQuery = z.infer<typeof ExportQuery>;

/** `GET /v1/executions/numbers`: the list's filters, no page, sort or cursor. */
export const NumbersQuery = SortedFilterQuery.omit({ sort: true });
export type NumbersQuery = z.infer<typeof NumbersQuery>;

/** Set when a code filter's budget cut the runs counted. */
const CountedPartial = z
  .strictObject({
    countedFrom: epochMs.meta({
      description:
        "A code filter over more runs than RUNTRACE_CODE_COUNT_BUDGET: every number counts the runs from here to the range's end.",
    }),
  })
  .nullable();

/** A duration quantile, read from counts per duration bucket. */
export const DurationQuantile = z
  .strictObject({
    q: z.number().meta({ description: "The quantile: 0.5 or 0.95." }),
    ms: z.number().meta({
      description:
        "The estimate: the geometric middle of the bucket holding the nearest-rank value (its lower bound for buckets 1 µs wide), within about 4.4 % of the true value (6 % below 100 µs).",
    }),
    fromMs: z.number().meta({ description: "The bucket's lower bound (included)." }),
    toMs: z.number().nullable().meta({
      description: "The bucket's upper bound (excluded); null for the last bucket (over 51 days).",
    }),
  })
  .meta({ id: "DurationQuantile" });
export type DurationQuantile = z.infer<typeof DurationQuantile>;

export const ExecutionNumbers = z
  .strictObject({
    runs: z.number().int().meta({
      description: "Runs the filter matches, finished or not (the list's meta.filterRowCount).",
    }),
    finished: z.number().int().meta({ description: "Of them, completed, failed or cancelled." }),
    failed: z.number().int(),
    failureRate: z
      .number()
      .nullable()
      .meta({ description: "failed / finished; null with none finished." }),
    duration: z
      .strictObject({
        runs: z.number().int().meta({ description: "Finished runs with a recorded duration." }),
        p50: DurationQuantile.nullable(),
        p95: DurationQuantile.nullable(),
      })
      .meta({ description: "Run durations (nearest rank) of the finished runs." }),
    failureRateSeries: z
      .strictObject({
        bucketMs: z.number().int().nullable().meta({
          description:
            "The step, as the list's timeline picks it for the range; null without `from`.",
        }),
        points: z.array(
          z.strictObject({
            bucketStart: epochMs,
            finished: z.number().int(),
            failed: z.number().int(),
            failureRate: z.number().nullable(),
          }),
        ),
      })
      .meta({ description: "Finished and failed runs per bucket of the range (by start time)." }),
    partial: CountedPartial,
  })
  .meta({ id: "ExecutionNumbers" });
export type ExecutionNumbers = z.infer<typeof ExecutionNumbers>;

/** `GET /v1/executions/numbers/tools`: per tool path, over the same runs as the numbers. */
export const ToolNumbers = z
  .strictObject({
    tools: z
      .array(
        z.strictObject({
          toolPath: z.string(),
          calls: z
            .number()
            .int()
            .meta({ description: "Tool-call spans stored for the filtered runs." }),
          failures: z.number().int().meta({ description: "Of them, with status failed." }),
          failureRate: z.number(),
          p95: DurationQuantile.nullable(),
        }),
      )
      .meta({
        description: "The 20 paths with the most calls among the filtered runs (ties by path).",
      }),
    toolPathCount: z.number().int().meta({ description: "Distinct paths called, listed or not." }),
    partial: CountedPartial,
  })
  .meta({ id: "ToolNumbers" });
export type ToolNumbers = z.infer<typeof ToolNumbers>;

export const MAX_ERROR_GROUPS = 20;

export const ErrorGroups = z
  .strictObject({
    failed: z.number().int().meta({ description: "Failed runs the filter matches." }),
    groupCount: z.number().int().meta({ description: "Error groups among them, listed or not." }),
    groups: z
      .array(
        z.strictObject({
          errorGroup: z
            .string()
            .meta({ description: "The group's id: `errorGroup=` on the list filters to it." }),
          errorType: z.string().nullable(),
          pattern: z.string().meta({
            description:
              "The message with quoted values as '?' / \"?\", numbers (with a unit) as <n> and words holding a digit as <id>; first 200 characters.",
          }),
          example: z.string().meta({ description: "One of the group's messages, as stored." }),
          count: z.number().int(),
          firstSeen: epochMs.meta({ description: "The earliest start (createdAt) of its runs." }),
          lastSeen: epochMs.meta({ description: "The latest start (createdAt) of its runs." }),
        }),
      )
      .meta({ description: `The ${MAX_ERROR_GROUPS} largest groups, then by last seen.` }),
    partial: CountedPartial,
  })
  .meta({ id: "ErrorGroups" });
export type ErrorGroups = z.infer<typeof ErrorGroups>;
export type ListQuery = z.input<typeof ListQuery>;

export const Trigger = z.strictObject({
  kind: z.string().nullable().meta({ description: "null: no trigger recorded." }),
  meta: z.unknown().meta({ description: "The trigger's JSON meta as stored, or null." }),
});
export type Trigger = z.infer<typeof Trigger>;

const summaryFields = {
  id: z.string(),
  scope: z.string(),
  status: ExecutionStatus,
  stale: z.boolean().meta({
    description: "Unfinished and silent for longer than RUNTRACE_STALE_AFTER.",
  }),
  trigger: Trigger,
  runtime: z.string().nullable(),
  codePreview: z
    .string()
    .meta({ description: "The code, whitespace collapsed, first 200 characters." }),
  createdAt: epochMs.meta({
    description:
      "Start of the execution (epoch ms); the time filters and the createdAt sort use it.",
  }),
  startedAt: epochMs.nullable(),
  completedAt: epochMs.nullable(),
  durationMs: z.number().nullable(),
  updatedAt: epochMs.meta({ description: "Last state change (epoch ms)." }),
  toolCallCount: z.number().int().meta({
    description:
      "The run's tool-call spans stored (each span once), whatever order they arrived in; equals the length of /tool-calls.",
  }),
  interactionCount: z.number().int().meta({
    description:
      "The run's interaction spans stored; equals the length of the detail's interactions.",
  }),
  hadElicitation: z.boolean().meta({
    description:
      "An interaction span is stored, the root span claims one (executor.execution.interaction_count, or the seed's executor.interaction.kind), or one is pending.",
  }),
  traceId: z.string().nullable(),
};

/** One run in a list answer. Times are epoch ms. */
export const ExecutionSummary = z
  .strictObject({
    ...summaryFields,
    pendingInteraction: z
      .strictObject({ id: z.string(), kind: z.string(), purpose: z.string().nullable() })
      .nullable()
      .meta({ description: "The interaction the run waits for, if any." }),
  })
  .meta({ id: "ExecutionSummary" });
export type ExecutionSummary = z.infer<typeof ExecutionSummary>;

const count = z.number().int().nonnegative();

export const ExecutionListMeta = z
  .strictObject({
    totalRowCount: count.meta({ description: "Runs in the readable scopes, no filters." }),
    filterRowCount: count.meta({ description: "Runs matching every filter." }),
    statusCounts: z
      .array(z.strictObject({ status: ExecutionStatus, count }))
      .meta({ description: "All six statuses, zeros included; every filter except status." }),
    triggerCounts: z.array(z.strictObject({ triggerKind: z.string().nullable(), count })).meta({
      description:
        "Every filter except trigger; triggerKind null = no trigger (filter value `unknown`).",
    }),
    toolFacets: z
      .array(z.strictObject({ toolPath: z.string(), count, runs: count, calls: count }))
      .meta({
        description:
          "Top 20 tool paths by calls, every filter except tool, over the runs started within from–to that the other filters keep: runs = runs that called the path (what tool=<path> lists), calls = their calls of it, count = calls (the seed's meaning: tool-call rows per path).",
      }),
    scopeCounts: z.array(z.strictObject({ scope: z.string(), count })).meta({
      description:
        "The scopes the token may read with runs started within from–to, and how many, most first, at most 50: the scopes to pick from (no other filter applies, scope included).",
    }),
    interactionCounts: z
      .strictObject({ withElicitation: count, withoutElicitation: count })
      .meta({ description: "Every filter except elicitation." }),
    chartBucketMs: z.number().int().meta({
      description:
        "The smallest of 1s 2s 5s 10s 15s 30s 1m 2m 5m 10m 15m 30m 1h 2h 3h 6h 12h 1d that covers the range in at most 60 buckets aligned to multiples of it (epoch).",
    }),
    chartData: z
      .array(
        z.strictObject({
          bucketStart: epochMs,
          counts: z.record(z.string(), count).meta({ description: "Per status, all six." }),
        }),
      )
      .meta({
        description:
          "Every bucket from chartFrom to chartTo, zeros filled; all filters apply, so without zoom the counts add up to filterRowCount.",
      }),
    chartFrom: epochMs.meta({
      description:
        "The chart's window starts here: `from` (a missing bound: the filtered runs' first start), or with chart=runs and chartZoomed the first bucket holding runs.",
    }),
    chartTo: epochMs.meta({ description: "The chart's window ends here (inclusive)." }),
    chartZoomed: z.boolean().meta({
      description: "chart=runs narrowed the window to the runs (chartFrom–chartTo within from–to).",
    }),
    partial: z
      .strictObject({
        countedFrom: epochMs.meta({
          description: "Epoch ms: the counts cover runs started from here.",
        }),
        counts: z.array(z.enum(PARTIAL_COUNTS)),
      })
      .nullable()
      .meta({
        description:
          "Set when a code filter's counts stopped at the budget (RUNTRACE_CODE_COUNT_BUDGET runs read, by whole 5-minute periods from the range's end back): the counts named were counted from countedFrom to the range's end only and are lower bounds; buckets before countedFrom are zeros. totalRowCount and scopeCounts are always exact. Null: every count is exact. The same stored runs always give the same answer.",
      }),
  })
  .meta({
    id: "ExecutionListMeta",
    description:
      "Only on a first page (no cursor, no after) unless meta=false. Each facet counts with every filter except its own.",
  });
export type ExecutionListMeta = z.infer<typeof ExecutionListMeta>;

export const ExecutionList = z
  .strictObject({
    executions: z.array(ExecutionSummary),
    nextCursor: z.string().nullable().meta({
      description:
        "Paging: pass as `cursor` for the next page (null at the end). Live mode (`after` / `updatedSince`): pass as the same parameter on the next poll (never null).",
    }),
    hasMore: z.boolean().optional().meta({
      description:
        "Live mode only: more runs than `limit` are waiting before the arrival boundary; poll again at once.",
    }),
    liveCursor: z.string().optional().meta({
      description:
        "First pages only (no `cursor`): where live mode starts. Pass as `after` (runs that arrive from now on) or `updatedSince` (runs that change from now on).",
    }),
    meta: ExecutionListMeta.optional(),
  })
  .meta({ id: "ExecutionList" });
export type ExecutionList = z.infer<typeof ExecutionList>;

export const InteractionDetail = z
  .strictObject({
    id: z.string(),
    kind: z.string(),
    purpose: z.string().nullable(),
    status: z.string(),
    payload: z.unknown(),
    payloadTruncated: z.boolean(),
    response: z.unknown(),
    responseTruncated: z.boolean(),
    createdAt: epochMs,
    resolvedAt: epochMs.nullable(),
  })
  .meta({ id: "InteractionDetail" });
export type InteractionDetail = z.infer<typeof InteractionDetail>;

export const ExecutionDetail = z
  .strictObject({
    ...summaryFields,
    code: z.string(),
    codeTruncated: z.boolean(),
    result: z.unknown().meta({ description: "The run's JSON result as stored, or null." }),
    resultTruncated: z.boolean(),
    error: z.string().nullable(),
    errorType: z.string().nullable(),
    logs: z
      .array(
        z.strictObject({
          time: z.number().meta({ description: "Epoch ms (fractional when finer)." }),
          severity: z.string(),
          message: z.string(),
        }),
      )
      .meta({
        description:
          "The run's log lines in order, a resumed run's earlier segments first; lines stored in another shape are shown with severity info and the line as the message.",
      }),
    interactions: z
      .array(InteractionDetail)
      .meta({ description: "The run's interaction spans stored." }),
    pendingInteraction: z
      .strictObject({
        id: z.string(),
        kind: z.string(),
        purpose: z.string().nullable(),
        payload: z.unknown(),
        createdAt: epochMs.nullable(),
      })
      .nullable(),
    spanId: z.string().nullable(),
    serviceName: z.string().nullable(),
    reportedToolCallCount: z.number().int().meta({
      description:
        "The tool calls the root span itself claims (executor.execution.tool_call_count); toolCallCount counts the tool-call spans stored. They differ while spans are on their way, or when some were lost or sampled out.",
    }),
  })
  .meta({ id: "ExecutionDetail" });
export type ExecutionDetail = z.infer<typeof ExecutionDetail>;

export const ToolCall = z
  .strictObject({
    id: z.string(),
    toolPath: z.string(),
    namespace: z.string().nullable(),
    status: z.enum(["completed", "failed", "running"]).meta({
      description: "`running`: in flight as the run's latest snapshot says (no span yet).",
    }),
    startedAt: z.number().meta({ description: "Epoch ms, fractional (microseconds kept)." }),
    completedAt: z.number().nullable().meta({ description: "null while running." }),
    durationMs: z.number().nullable(),
    args: z.unknown(),
    argsTruncated: z.boolean(),
    result: z.unknown(),
    resultTruncated: z.boolean(),
    error: z.string().nullable(),
    errorType: z.string().nullable(),
    spanId: z
      .string()
      .nullable()
      .meta({ description: "null while running (the span is exported when the call ends)." }),
  })
  .meta({ id: "ToolCall" });
export type ToolCall = z.infer<typeof ToolCall>;

export const ToolCallList = z
  .strictObject({ executionId: z.string(), toolCalls: z.array(ToolCall) })
  .meta({ id: "ToolCallList" });
export type ToolCallList = z.infer<typeof ToolCallList>;

const attributes = z.record(z.string(), z.string());

/** One span of a run's trace tree, with its children in start order. */
export const TraceSpan = z
  .strictObject({
    spanId: z.string(),
    parentSpanId: z.string().nullable(),
    name: z.string(),
    kind: z.string(),
    serviceName: z.string(),
    startTimeUnixNano: z.string().meta({ description: "Decimal nanoseconds." }),
    durationNanos: z.string().meta({ description: "Decimal nanoseconds." }),
    startMs: z.number().meta({ description: "Start in epoch ms (fractional), for convenience." }),
    durationMs: z.number(),
    status: z.strictObject({ code: z.string(), message: z.string() }),
    attributes,
    events: z.array(z.strictObject({ timeUnixNano: z.string(), name: z.string(), attributes })),
    // A getter lets the schema name itself (zod's way to describe a tree).
    get children(): z.ZodArray<typeof TraceSpan> {
      return z.array(TraceSpan);
    },
  })
  .meta({ id: "TraceSpan" });
export type TraceSpan = z.infer<typeof TraceSpan>;

export const ExecutionTrace = z
  .strictObject({
    executionId: z.string(),
    traceId: z.string(),
    spanCount: z.number().int(),
    roots: z.array(TraceSpan),
  })
  .meta({ id: "ExecutionTrace" });
export type ExecutionTrace = z.infer<typeof ExecutionTrace>;

/** `GET /v1/about`: what the /runs page tells a newcomer, and where it links a trace. */
export const About = z
  .strictObject({
    collectorUrl: z.string().nullable().meta({
      description:
        "The OTLP/HTTP endpoint for `OTEL_EXPORTER_OTLP_ENDPOINT` (`runtrace start`'s collector, else `RUNTRACE_COLLECTOR_URL`), or null.",
    }),
    jaegerUiUrl: z.string().nullable().meta({
      description:
        "A Jaeger UI reading this server's Jaeger API (`RUNTRACE_JAEGER_UI_URL`, no trailing slash), or null: the page links a run's trace as `<jaegerUiUrl>/trace/<traceId>`.",
    }),
  })
  .meta({ id: "About" });
export type About = z.infer<typeof About>;
