/** The collector's own counters, exposed on /metrics. */
export class IngestStats {
  readonly requests = new Map<string, number>();
  spansAccepted = 0;
  readonly spansRejected = new Map<string, number>();
  pointsAccepted = 0;
  pointsRejected = 0;
  /** Metric points refused for their scope, by reason (the decoder's own refusals are not here). */
  readonly pointsRejectedByReason = new Map<string, number>();

  /** `status`: the HTTP status, or for gRPC the status code's number. */
  countRequest(signal: string, status: number, transport: "http" | "grpc" = "http"): void {
    const key = `${transport}\u0000${signal}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  countRejectedPoints(reasons: Partial<Record<string, number>>): void {
    for (const [reason, n] of Object.entries(reasons)) {
      if (n) {
        this.pointsRejectedByReason.set(reason, (this.pointsRejectedByReason.get(reason) ?? 0) + n);
      }
    }
  }

  countRejectedSpans(reasons: Partial<Record<string, number>>): void {
    for (const [reason, n] of Object.entries(reasons)) {
      if (n) this.spansRejected.set(reason, (this.spansRejected.get(reason) ?? 0) + n);
    }
  }
}
