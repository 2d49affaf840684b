import { EXECUTION_STATUS_WORDS, executionStatusOf } from "@runtrace/semconv";
import { absoluteMs, DEFAULT_RANGE, isoTime, relativeMs } from "./time.ts";
import { ERROR_GROUP, type RunsView } from "./view.ts";

/**
 * The typed filter bar: `scope:acme status:failed,cancelled trigger:mcp tool:github.* code:"rate limit"
 * elicitation:true after:1h before:2026-04-11 error:<group id>`. Words without a key search the code. The bar
 * holds the whole filter, so what it omits goes back to the default (the last 24 h, no filter).
 */

export type FilterFields = Pick<
  RunsView,
  | "scopes"
  | "ids"
  | "statuses"
  | "triggers"
  | "tools"
  | "elicitation"
  | "range"
  | "from"
  | "to"
  | "code"
  | "errorGroup"
>;

export type CommandResult = { ok: true; filter: FilterFields } | { ok: false; error: string };

export const COMMAND_KEYS = [
  "scope",
  "id",
  "status",
  "trigger",
  "tool",
  "code",
  "error",
  "elicitation",
  "after",
  "before",
] as const;

/** What a pasted id looks like: a trace id (32 hex digits) or a UUID (an execution id). */
const PASTED_ID =
  /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

const TOOL = /^[A-Za-z0-9_:$@/-]+(\.[A-Za-z0-9_:$@/-]+)*(\.\*)?$/;

/** Splits on spaces, keeping `"quoted text"` (after a key or alone) together. */
function tokens(text: string): string[] {
  const out: string[] = [];
  const re = /(?:[^\s"']+)?(?:"[^"]*"?|'[^']*'?)|[^\s"']+/g;
  for (const m of text.matchAll(re)) {
    out.push(m[0]);
  }
  return out;
}

function unquote(value: string): string {
  return value.replace(/^(["'])(.*?)\1?$/s, "$2");
}

function values(value: string): string[] {
  return value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);
}

export function parseCommand(text: string): CommandResult {
  const filter: FilterFields = {
    scopes: [],
    ids: [],
    statuses: [],
    triggers: [],
    tools: [],
    elicitation: null,
    range: DEFAULT_RANGE,
    from: null,
    to: null,
    code: "",
    errorGroup: null,
  };
  const words: string[] = [];
  let after: { range: string } | { from: number } | undefined;
  let before: number | undefined;
  for (const token of tokens(text)) {
    const colon = token.indexOf(":");
    const key = colon > 0 ? token.slice(0, colon).toLowerCase() : "";
    if (!(COMMAND_KEYS as readonly string[]).includes(key)) {
      if (key === "duration_ms" || key === "duration") {
        return {
          ok: false,
          error: "duration is not a filter the API offers: sort by duration instead",
        };
      }
      if (key && !/^["']/.test(token)) {
        return {
          ok: false,
          error: `unknown filter "${key}:" (use ${COMMAND_KEYS.map((k) => `${k}:`).join(" ")})`,
        };
      }
      // A pasted trace id or execution id searches by id, not in the code.
      if (!key && PASTED_ID.test(token)) {
        if (!filter.ids.includes(token)) filter.ids.push(token);
        continue;
      }
      words.push(unquote(token));
      continue;
    }
    const value = unquote(token.slice(colon + 1));
    if (value === "") return { ok: false, error: `${key}: needs a value` };
    switch (key) {
      case "status":
        for (const v of values(value)) {
          const status = executionStatusOf(v);
          if (!status) {
            return { ok: false, error: `status: "${v}" is not one of ${EXECUTION_STATUS_WORDS}` };
          }
          if (!filter.statuses.includes(status)) filter.statuses.push(status);
        }
        break;
      case "scope":
        for (const v of values(value)) if (!filter.scopes.includes(v)) filter.scopes.push(v);
        break;
      case "id":
        for (const v of values(value)) if (!filter.ids.includes(v)) filter.ids.push(v);
        break;
      case "trigger":
        for (const v of values(value)) if (!filter.triggers.includes(v)) filter.triggers.push(v);
        break;
      case "tool":
        for (const v of values(value)) {
          if (!TOOL.test(v)) {
            return { ok: false, error: `tool: "${v}" is not a tool path or namespace.*` };
          }
          if (!filter.tools.includes(v)) filter.tools.push(v);
        }
        break;
      case "code":
        words.push(value);
        break;
      case "error":
        if (!ERROR_GROUP.test(value)) {
          return { ok: false, error: `error: "${value}" is not an error group id (16 hex digits)` };
        }
        filter.errorGroup = value;
        break;
      case "elicitation": {
        const v = value.toLowerCase();
        if (["true", "yes", "used"].includes(v)) filter.elicitation = "true";
        else if (["false", "no", "none"].includes(v)) filter.elicitation = "false";
        else return { ok: false, error: "elicitation: expected true or false" };
        break;
      }
      case "after": {
        if (relativeMs(value) !== undefined) after = { range: value };
        else {
          const ms = absoluteMs(value);
          if (ms === undefined) {
            return {
              ok: false,
              error: `after: "${value}" is neither a relative time (15m, 1h, 7d, 2w, all) nor a date`,
            };
          }
          after = { from: ms };
        }
        break;
      }
      case "before": {
        const span = relativeMs(value);
        const ms = span ? Date.now() - span : absoluteMs(value);
        if (ms === undefined || ms === null) {
          return { ok: false, error: `before: "${value}" is neither a relative time nor a date` };
        }
        // Before that instant: the range's end is inclusive, so one millisecond earlier.
        before = ms - 1;
        break;
      }
    }
  }
  filter.code = words.join(" ").trim();
  // An id names its runs whenever they started, unless a time was given.
  if (filter.ids.length > 0 && after === undefined && before === undefined)
    after = { range: "all" };
  if (before !== undefined) {
    // An upper bound makes the range absolute: a relative `after` is resolved against now.
    const span = after && "range" in after ? relativeMs(after.range) : undefined;
    filter.range = null;
    if (after && "from" in after) filter.from = after.from;
    else if (span) filter.from = Date.now() - span;
    filter.to = before;
  } else if (after && "from" in after) {
    filter.range = null;
    filter.from = after.from;
  } else if (after) {
    filter.range = after.range;
  }
  if (filter.from !== null && filter.to !== null && filter.from > filter.to) {
    return { ok: false, error: "after: must not be later than before:" };
  }
  return { ok: true, filter };
}

/** Quoted when it has spaces or quotes: in '…' when it holds a ", else in "…". */
function quoted(value: string): string {
  if (!/[\s"']/.test(value)) return value;
  return value.includes('"') ? `'${value.replaceAll("'", "")}'` : `"${value}"`;
}

/** The bar's text for a view: parsing it gives the same filter back. */
export function formatCommand(view: FilterFields): string {
  const parts: string[] = [];
  if (view.scopes.length) parts.push(`scope:${view.scopes.join(",")}`);
  if (view.ids.length) parts.push(`id:${view.ids.join(",")}`);
  if (view.statuses.length) parts.push(`status:${view.statuses.join(",")}`);
  if (view.triggers.length) parts.push(`trigger:${view.triggers.join(",")}`);
  if (view.tools.length) parts.push(`tool:${view.tools.join(",")}`);
  if (view.elicitation) parts.push(`elicitation:${view.elicitation}`);
  if (view.range !== null) parts.push(`after:${view.range}`);
  else {
    if (view.from !== null) parts.push(`after:${isoTime(view.from)}`);
    if (view.to !== null) parts.push(`before:${isoTime(view.to + 1)}`);
  }
  if (view.code) parts.push(`code:${quoted(view.code)}`);
  if (view.errorGroup) parts.push(`error:${view.errorGroup}`);
  return parts.join(" ");
}
