import { clearEarly, takeEarly } from "./early.ts";
import type {
  About,
  ErrorBody,
  ErrorGroups,
  ExecutionDetail,
  ExecutionNumbers,
  ExecutionTrace,
  ListPage,
  ToolCall,
  ToolCallList,
  ToolNumbers,
} from "./types.ts";

const TOKEN_KEY = "runtrace.token";

/** An answer other than 2xx, with the API's own `message` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

export function storedToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  // Answers asked for with the old token are not this token's.
  clearEarly();
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  // Asked for already while the page booted (early.ts): that answer, unless the caller gave up.
  const early = takeEarly(path);
  return readJson<T>(early ? abortable(early, signal) : fetchResponse(path, signal), signal);
}

/** `answer`, or an AbortError as soon as `signal` fires (as fetch itself would reject). */
function abortable<T>(answer: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return answer;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    answer.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** GET `path` with the stored token: fetch's own answer (the boot keeps it, early.ts). */
export function fetchResponse(path: string, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(path, { headers, signal });
}

/** An answer's JSON; a non-2xx answer is an {@link ApiError}, no answer at all too. */
async function readJson<T>(answer: Promise<Response>, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await answer;
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, "the query API did not answer (is runtrace running?)");
  }
  if (!response.ok) throw await apiError(response);
  return (await response.json()) as T;
}

/** The error of an answer that is not 2xx, with the API's own message when it sent one. */
async function apiError(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  let parameter: string | undefined;
  try {
    // Any answer that is not 2xx may come from a proxy: only what it holds is read.
    const body = (await response.json()) as Partial<ErrorBody>;
    if (body.message) message = body.message;
    parameter = body.parameter;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, message, parameter);
}

/**
 * The paths the page reads, built in one place: the boot's early requests (boot.ts) are taken
 * by the app's first requests only when the paths are the same strings.
 */
export const ABOUT_PATH = "/v1/about";
export const listPath = (params: URLSearchParams) => `/v1/executions?${params}`;
export const numbersPath = (params: URLSearchParams) => `/v1/executions/numbers?${params}`;
export const errorGroupsPath = (params: URLSearchParams) => `/v1/executions/errors?${params}`;

/** What the query API tells about its setup: where runtimes send telemetry, when it knows. */
export function getAbout(signal?: AbortSignal): Promise<About> {
  return getJson<About>(ABOUT_PATH, signal);
}

export function listExecutions(params: URLSearchParams, signal?: AbortSignal): Promise<ListPage> {
  return getJson<ListPage>(listPath(params), signal);
}

/** The numbers of every run the list's filters match (`/v1/executions/numbers`). */
export function getNumbers(
  params: URLSearchParams,
  signal?: AbortSignal,
): Promise<ExecutionNumbers> {
  return getJson<ExecutionNumbers>(numbersPath(params), signal);
}

/** Per tool path of the runs the list's filters match (`/v1/executions/numbers/tools`). */
export function getToolNumbers(
  params: URLSearchParams,
  signal?: AbortSignal,
): Promise<ToolNumbers> {
  return getJson<ToolNumbers>(`/v1/executions/numbers/tools?${params}`, signal);
}

/** The filtered failed runs grouped by error (`/v1/executions/errors`). */
export function getErrorGroups(
  params: URLSearchParams,
  signal?: AbortSignal,
): Promise<ErrorGroups> {
  return getJson<ErrorGroups>(errorGroupsPath(params), signal);
}

export function getExecution(id: string, signal?: AbortSignal): Promise<ExecutionDetail> {
  return getJson<ExecutionDetail>(`/v1/executions/${encodeURIComponent(id)}`, signal);
}

export async function getToolCalls(id: string, signal?: AbortSignal): Promise<ToolCall[]> {
  const body = await getJson<ToolCallList>(
    `/v1/executions/${encodeURIComponent(id)}/tool-calls`,
    signal,
  );
  return body.toolCalls;
}

/**
 * The run's spans as a tree (`/v1/executions/:id/trace`); a 404 for a run that is stored means
 * none of its spans is (yet).
 */
export function getTrace(id: string, signal?: AbortSignal): Promise<ExecutionTrace> {
  return getJson<ExecutionTrace>(traceUrl(id), signal);
}

/** An export of the filtered runs: the file, and the row limit the server applied. */
export interface RunsExport {
  blob: Blob;
  rowLimit: number | null;
}

/** `/v1/executions/export` with the list's filters (the bearer token rides along). */
export async function exportRuns(params: URLSearchParams): Promise<RunsExport> {
  const headers: Record<string, string> = {};
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`/v1/executions/export?${params}`, { headers });
  if (!response.ok) throw await apiError(response);
  const limit = Number(response.headers.get("x-runtrace-row-limit"));
  return {
    blob: await response.blob(),
    rowLimit: Number.isFinite(limit) && limit > 0 ? limit : null,
  };
}

export function traceUrl(id: string): string {
  return `/v1/executions/${encodeURIComponent(id)}/trace`;
}
