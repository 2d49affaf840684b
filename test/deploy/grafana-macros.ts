/**
 * The Grafana ClickHouse data source's SQL macros (grafana/clickhouse-datasource
 * `pkg/macros/macros.go`), expanded the way the plugin does, so a dashboard's SQL can be run
 * here as Grafana would send it. Only the macros runtrace's dashboards use are known; any other
 * macro or template variable is an error rather than something silently left in the SQL.
 */

export interface MacroRange {
  /** The dashboard's time range, epoch milliseconds. */
  fromMs: number;
  toMs: number;
  /** Grafana's `$__interval` for the panel, milliseconds. */
  intervalMs: number;
}

/** `toDateTime(<unix seconds>)`: the plugin formats whole seconds (Go's `Time.Unix()`). */
const dateTime = (ms: number) => `toDateTime(${Math.floor(ms / 1000)})`;
/** `fromUnixTimestamp64Milli(<unix ms>)`. */
const dateTime64 = (ms: number) => `fromUnixTimestamp64Milli(${Math.trunc(ms)})`;

type Macro = (range: MacroRange, args: string[]) => string;

function oneColumn(name: string, args: string[]): string {
  if (args.length !== 1 || args[0] === "") {
    throw new Error(`$__${name} takes one column, got ${args.length}`);
  }
  return args[0]!;
}

const MACROS: Record<string, { args: boolean; expand: Macro }> = {
  fromTime: { args: false, expand: (r) => dateTime(r.fromMs) },
  toTime: { args: false, expand: (r) => dateTime(r.toMs) },
  fromTime_ms: { args: false, expand: (r) => dateTime64(r.fromMs) },
  toTime_ms: { args: false, expand: (r) => dateTime64(r.toMs) },
  interval_s: {
    args: false,
    expand: (r) => String(Math.max(Math.trunc(r.intervalMs / 1000), 1)),
  },
  timeFilter: {
    args: true,
    expand: (r, args) => {
      const c = oneColumn("timeFilter", args);
      return `${c} >= ${dateTime(r.fromMs)} AND ${c} <= ${dateTime(r.toMs)}`;
    },
  },
  timeFilter_ms: {
    args: true,
    expand: (r, args) => {
      const c = oneColumn("timeFilter_ms", args);
      return `${c} >= ${dateTime64(r.fromMs)} AND ${c} <= ${dateTime64(r.toMs)}`;
    },
  },
  timeInterval: {
    args: true,
    expand: (r, args) =>
      `toStartOfInterval(toDateTime(${oneColumn("timeInterval", args)}), INTERVAL ${Math.max(Math.trunc(r.intervalMs / 1000), 1)} second)`,
  },
  timeInterval_ms: {
    args: true,
    expand: (r, args) =>
      `toStartOfInterval(toDateTime64(${oneColumn("timeInterval_ms", args)}, 3), INTERVAL ${Math.max(Math.trunc(r.intervalMs), 1)} millisecond)`,
  },
};

/** Expands every `$__macro` / `$__macro(column)` in `sql`; throws on anything it does not know. */
export function expandMacros(sql: string, range: MacroRange): string {
  const expanded = sql.replace(/\$__(\w+)(\(([^()]*)\))?/g, (whole, name: string, call, args) => {
    const macro = MACROS[name];
    if (!macro) throw new Error(`unknown macro ${whole}`);
    if (macro.args !== (call !== undefined)) {
      throw new Error(`$__${name} ${macro.args ? "needs" : "takes no"} arguments: ${whole}`);
    }
    const list = call === undefined ? [] : (args as string).split(",").map((a) => a.trim());
    return macro.expand(range, list);
  });
  const left = /\$\{?\w+/.exec(expanded);
  if (left) throw new Error(`template variable ${left[0]} is not supported here`);
  return expanded;
}
