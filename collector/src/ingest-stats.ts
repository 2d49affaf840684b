/** The collector's own counters, exposed on /metrics. */
export class IngestStats {
  readonly requests = new Map<string, number>();
  spansAccepted = 0;
  readonly spansRejected = new Map<string, number>();
  pointsAccepted = 0;
  pointsRejected = 0;

  /** `status`: the HTTP status, or for gRPC the status code's number. */
  countRequest(signal: string, status: number, transport: "http" | "grpc" = "http"): void {
    const key = `${transport}\u0000${signal}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  countRejectedSpans(reasons: Partial<Record<string, number>>): void {
    for (const [reason, n] of Object.entries(reasons)) {
      if (n) this.spansRejected.set(reason, (this.spansRejected.get(reason) ?? 0) + n);
    }
  }
}
