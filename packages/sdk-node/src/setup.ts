import { metrics, ProxyTracerProvider, trace } from "@opentelemetry/api";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { sdkConfiguration, type TelemetryOptions } from "./telemetry-config.ts";

export type { TelemetryOptions } from "./telemetry-config.ts";

/** A started OpenTelemetry SDK. */
export interface Telemetry {
  readonly sdk: NodeSDK;
  /** Exports what is buffered (spans and metrics) now. */
  forceFlush(): Promise<void>;
  /** Flushes spans and metrics, then stops; later calls return the same promise. */
  shutdown(): Promise<void>;
}

/**
 * Starts and registers the OpenTelemetry Node SDK for a runtime: traces and metrics to the given
 * exporters, to an OTLP/HTTP endpoint, or as the standard `OTEL_*` variables say.
 *
 * @example
 * ```ts
 * const telemetry = startTelemetry({ serviceName: "sandbox", otlpEndpoint: "http://localhost:4318" });
 * process.on("SIGTERM", () => void telemetry.shutdown());
 * ```
 */
export function startTelemetry(options: TelemetryOptions = {}): Telemetry {
  const sdk = new NodeSDK(sdkConfiguration(options));
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    sdk,
    async forceFlush() {
      if (stopped !== undefined) return;
      await flushGlobalProviders();
    },
    shutdown() {
      stopped ??= sdk.shutdown();
      return stopped;
    },
  };
}

interface Flushable {
  forceFlush(): Promise<void>;
}

function isFlushable(value: unknown): value is Flushable {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<Flushable>).forceFlush === "function"
  );
}

/**
 * NodeSDK has no `forceFlush` and keeps its providers private; it registers them globally, so
 * flush the registered ones.
 */
async function flushGlobalProviders(): Promise<void> {
  const tracerProvider = trace.getTracerProvider();
  const delegate =
    tracerProvider instanceof ProxyTracerProvider ? tracerProvider.getDelegate() : tracerProvider;
  const providers = ([delegate, metrics.getMeterProvider()] as unknown[]).filter(isFlushable);
  await Promise.all(providers.map((provider) => provider.forceFlush()));
}
