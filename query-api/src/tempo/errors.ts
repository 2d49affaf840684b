import { HTTPException } from "hono/http-exception";

/**
 * Tempo answers errors as plain text, and Grafana shows that text as the query's error: the
 * message is the whole body.
 */
export function tempoError(status: 400 | 404, message: string): HTTPException {
  return new HTTPException(status, {
    res: new Response(`${message}\n`, {
      status,
      headers: { "content-type": "text/plain; charset=utf-8" },
    }),
  });
}

/** A 400 that names the parameter at fault. */
export const badParam = (name: string, reason: string) =>
  tempoError(400, `invalid parameter ${name}: ${reason}`);

const RE2_ERROR = /cannot compile re2: .*?, error: ([^\n]*?)(?:\. Look at|$)/i;

/**
 * ClickHouse compiles TraceQL's regular expressions (RE2 syntax) when the query runs: one that
 * does not compile is the query's fault, a 400, not a server error.
 */
export async function regexErrorsAreBadQueries<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    const m = RE2_ERROR.exec(error instanceof Error ? error.message : "");
    if (m || (error as { code?: unknown }).code === "427") {
      throw tempoError(
        400,
        `invalid TraceQL query: a regular expression does not compile (RE2 syntax)${m ? `: ${m[1]}` : ""}`,
      );
    }
    throw error;
  }
}
