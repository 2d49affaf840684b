import type { ZodOpenApiPathsObject } from "zod-openapi";
import { ConformanceQuery, ConformanceReport } from "../contract/index.ts";
import { jsonAnswer, v1Errors } from "../http/openapi-parts.ts";

/** The OpenAPI path item of `/v1/conformance`, from the contract's schemas. */
export const conformanceOpenApiPaths: ZodOpenApiPathsObject = {
  "/v1/conformance": {
    get: {
      operationId: "checkConformance",
      tags: ["conformance"],
      summary: "Which of a runtime's spans break runtrace's conventions",
      description:
        "Checks the spans of one service that started in [from, to) against the rules of " +
        "`docs/semantic-conventions.md`, each rule a condition on one stored span (arrival " +
        "order never matters). `runtrace check --service NAME` prints this report. With " +
        "scoped API tokens only the traces of readable runs are checked.",
      requestParams: { query: ConformanceQuery },
      responses: {
        "200": jsonAnswer("Every rule with its count and example spans", ConformanceReport),
        ...v1Errors,
      },
    },
  },
};
