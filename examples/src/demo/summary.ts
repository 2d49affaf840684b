/** The demo's closing report: counts per status, sample runs linked on /runs, surprises. */
import { EXECUTION_STATUSES, type ExecutionStatus } from "@runtrace/semconv";
import type { Outcome } from "./load.ts";

export interface SummaryInput {
  outcomes: readonly Outcome[];
  elapsedMillis: number;
  spansRecorded: number;
  /** The query API's /runs page: samples link to their run there. */
  runsUrl: string;
}

export function summary({ outcomes, elapsedMillis, spansRecorded, runsUrl }: SummaryInput): string {
  const out: string[] = [];
  out.push(
    `${outcomes.length} executions in ${(elapsedMillis / 1000).toFixed(1)} s; ${spansRecorded} spans recorded`,
  );
  const byStatus = new Map<ExecutionStatus, Outcome[]>();
  for (const outcome of outcomes) {
    byStatus.set(outcome.status, [...(byStatus.get(outcome.status) ?? []), outcome]);
  }
  for (const status of EXECUTION_STATUSES) {
    out.push(`  ${status.padEnd(24)}${String(byStatus.get(status)?.length ?? 0).padStart(4)}`);
  }
  const triggers = new Map<string, number>();
  for (const { trigger } of outcomes) triggers.set(trigger, (triggers.get(trigger) ?? 0) + 1);
  out.push(`  by trigger: ${[...triggers].map(([kind, n]) => `${kind} ${n}`).join(", ")}`);

  out.push("sample runs (open one on the /runs page):");
  for (const status of EXECUTION_STATUSES) {
    for (const sample of (byStatus.get(status) ?? []).slice(0, 2)) {
      const note = sample.note === undefined ? "" : ` — ${sample.note}`;
      const link = `${runsUrl}?executionId=${encodeURIComponent(sample.executionId)}`;
      out.push(`  ${status.padEnd(24)}${link}  ${sample.name}${note}`);
    }
  }
  const resumed = outcomes.find((o) => o.note?.startsWith("paused in pid") === true);
  if (resumed !== undefined) {
    out.push(`pause/resume: ${resumed.executionId} ${resumed.note} → ${resumed.status}`);
  }
  const surprises = outcomes.filter((o) => o.expected !== undefined && o.expected !== o.status);
  for (const o of surprises) {
    out.push(
      `unexpected: "${o.name}" ended ${o.status}, expected ${o.expected}${o.note ? ` (${o.note})` : ""}`,
    );
  }
  return out.join("\n");
}

/** One line per execution, for `--verbose`. */
export function outcomeLine(outcome: Outcome): string {
  const took = outcome.durationMillis === undefined ? "" : ` ${outcome.durationMillis} ms`;
  return `${outcome.status.padEnd(24)}${outcome.trigger.padEnd(5)}${outcome.name}${took}`;
}
