import { describe, expect, it } from "vitest";
import { DEFAULT_PREFS, PREFS_COOKIE, prefsCookie, prefsFromCookie } from "./prefs.ts";

/** The `Cookie` header a browser sends back for what `prefsCookie` set. */
const sentBack = (assignment: string) => assignment.split(";")[0]!;

describe("the list's prefs in a cookie", () => {
  it("reads back what the app wrote, among other cookies", () => {
    const prefs = { hidden: ["trigger", "code"] as const, compact: true, railOpen: false };
    const header = `a=1; ${sentBack(prefsCookie({ ...prefs, hidden: [...prefs.hidden] }))}; b=2`;
    expect(prefsFromCookie(header)).toEqual({ ...prefs, hidden: [...prefs.hidden] });
    expect(prefsCookie(DEFAULT_PREFS)).toMatch(/; path=\/runs; max-age=31536000; samesite=lax$/);
  });

  it("falls back to the defaults for no cookie, a malformed one, and drops unknown columns", () => {
    expect(prefsFromCookie(undefined)).toEqual(DEFAULT_PREFS);
    expect(prefsFromCookie("other=1")).toEqual(DEFAULT_PREFS);
    expect(prefsFromCookie(`${PREFS_COOKIE}=%7Bnot-json`)).toEqual(DEFAULT_PREFS);
    const odd = encodeURIComponent(
      JSON.stringify({ hidden: ["scope", "nope", 3], compact: "yes" }),
    );
    expect(prefsFromCookie(`${PREFS_COOKIE}=${odd}`)).toEqual({
      hidden: ["scope"],
      compact: false,
      railOpen: true,
    });
  });
});
