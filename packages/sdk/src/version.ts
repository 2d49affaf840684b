/** Version of `@runtrace/sdk`, the instrumentation scope version of its tracer and meter. */
export const SDK_VERSION = "0.1.0";
/** Instrumentation scope name of the default tracer and meter. */
export const SDK_NAME = "@runtrace/sdk";
