// Type-checked in the installed project (strict, NodeNext) against the packages' declarations:
// a runtime in TypeScript sees the same API as the sources.
import { createExecutionRecorder, type Execution, type ExecutionState } from "@runtrace/sdk";
import { startTelemetry, type Telemetry } from "@runtrace/sdk-node";
import { type ExecutionStatus, SPAN_EXECUTION, toolSpanName } from "@runtrace/semconv";

const telemetry: Telemetry = startTelemetry({ serviceName: "typed" });
const exec: Execution = createExecutionRecorder().create({ scopeId: "ws", code: "1" });
const status: ExecutionStatus = exec.status;
const state: ExecutionState = exec.pause();
const names: string[] = [SPAN_EXECUTION, toolSpanName("math.add"), status, String(state.version)];
// What the declarations must refuse (an unused @ts-expect-error fails the check: so these also
// prove the types resolved to something, not to `any`).
// @ts-expect-error: a scope is required.
createExecutionRecorder().create({ code: "1" });
// @ts-expect-error: not one of the six statuses.
const wrong: ExecutionStatus = "finished";
void telemetry.shutdown();

export { names, wrong };
