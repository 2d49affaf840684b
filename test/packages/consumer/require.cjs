// A CommonJS runtime: Node 20.19 and later load the packages' ES modules with require().
const { createExecutionRecorder } = require("@runtrace/sdk");
const { startTelemetry } = require("@runtrace/sdk-node");
const { SPAN_EXECUTION } = require("@runtrace/semconv");

console.log(
  JSON.stringify([typeof createExecutionRecorder, typeof startTelemetry, SPAN_EXECUTION]),
);
