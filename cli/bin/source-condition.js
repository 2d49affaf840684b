// A module-resolution hook: inside this repository the workspaces' packages resolve to their
// TypeScript sources (the `runtrace-source` export condition), not to the compiled dist/ that
// @runtrace/semconv and the SDK ship to runtimes. Registered by bin/runtrace.js.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, {
    ...context,
    conditions: [...context.conditions, "runtrace-source"],
  });
}
