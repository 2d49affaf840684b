import { z } from "zod";

/** The JSON body of every error answer of the run-history and stats routes (`/v1`). */
export const ErrorBody = z
  .strictObject({
    error: z.string().meta({ description: "A short code: bad_request, unauthorized, not_found…" }),
    message: z.string(),
    parameter: z
      .string()
      .optional()
      .meta({ description: "The query or path parameter at fault, for 400s." }),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorBody>;
