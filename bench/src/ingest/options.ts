/**
 * @module
 * The ingest benchmark's command-line options.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { integerOption } from "../options.ts";

/** The repository's root (the collector runs from its `cli/`). */
export const REPO = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

export interface Options {
  requests: number;
  batch: number;
  concurrency: number[];
  phaseSeconds: number;
  warmupSeconds: number;
  overload: number;
  overloadSeconds: number;
  codeBytes: [number, number];
  resultBytes: [number, number];
  rawBatchRows: number[];
  maxQueueRows: string | undefined;
  collectorCpuProf: string | undefined;
  instrumented: boolean;
  /** How requests are sent: OTLP/HTTP protobuf, or OTLP/gRPC (the same bytes). */
  transport: "http" | "grpc";
}

export function positiveNumber(text: string, flag: string, integer = true): number {
  if (integer) return integerOption(text, flag);
  const n = Number(text.replace(/_/g, ""));
  if (!(n > 0)) throw new Error(`${flag}: not a positive number: ${text}`);
  return n;
}

export function range(text: string, flag: string): [number, number] {
  const [min, max] = text.split("-").map((part) => positiveNumber(part, flag));
  if (min === undefined || max === undefined || min > max) {
    throw new Error(`${flag}: expected MIN-MAX, got ${text}`);
  }
  return [min, max];
}

function transportOf(text: string): "http" | "grpc" {
  if (text === "http" || text === "grpc") return text;
  throw new Error(`--transport: http or grpc, not ${text}`);
}

export function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      requests: { type: "string", default: "1200" },
      batch: { type: "string", default: "512" },
      concurrency: { type: "string", default: "8,16" },
      "phase-seconds": { type: "string", default: "20" },
      "warmup-seconds": { type: "string", default: "4" },
      overload: { type: "string", default: "128" },
      "overload-seconds": { type: "string", default: "20" },
      "code-bytes": { type: "string", default: "200-5000" },
      "result-bytes": { type: "string", default: "60-2500" },
      "raw-batch-rows": { type: "string", default: "10000,50000" },
      "max-queue-rows": { type: "string" },
      "collector-cpu-prof": { type: "string" },
      instrumented: { type: "boolean", default: false },
      transport: { type: "string", default: "http" },
    },
    strict: true,
  });
  return {
    requests: positiveNumber(values.requests, "--requests"),
    batch: positiveNumber(values.batch, "--batch"),
    concurrency: values.concurrency.split(",").map((c) => positiveNumber(c, "--concurrency")),
    phaseSeconds: positiveNumber(values["phase-seconds"], "--phase-seconds", false),
    warmupSeconds: positiveNumber(values["warmup-seconds"], "--warmup-seconds", false),
    overload: positiveNumber(values.overload, "--overload"),
    overloadSeconds: positiveNumber(values["overload-seconds"], "--overload-seconds", false),
    codeBytes: range(values["code-bytes"], "--code-bytes"),
    resultBytes: range(values["result-bytes"], "--result-bytes"),
    rawBatchRows: values["raw-batch-rows"]
      .split(",")
      .map((n) => positiveNumber(n, "--raw-batch-rows")),
    maxQueueRows: values["max-queue-rows"],
    collectorCpuProf: values["collector-cpu-prof"],
    instrumented: values.instrumented,
    transport: transportOf(values.transport),
  };
}
