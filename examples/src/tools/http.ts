/**
 * `http.fetch`: a fake HTTP client. It never opens a socket: URLs map to canned responses. One
 * partner API needs an OAuth consent (a URL elicitation) and one host never answers in time.
 */
import type { ToolHandler } from "../sandbox/index.ts";
import { hash, latency, optionalString, requireString, ToolError } from "./support.ts";

interface Response {
  status: number;
  ok: boolean;
  headers: Record<string, string>;
  body: unknown;
}

function json(status: number, body: unknown): Response {
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { "content-type": "application/json" },
    body,
  };
}

function route(url: URL): Response {
  switch (`${url.host}${url.pathname}`) {
    case "api.weather.example/v1/forecast": {
      const city = url.searchParams.get("city") ?? "Berlin";
      const h = hash(city);
      return json(200, {
        city,
        tempC: (h % 30) - 2,
        conditions: ["sunny", "cloudy", "rain", "snow", "windy"][h % 5],
      });
    }
    case "status.example.com/api/v2/status.json":
      return json(200, { status: { indicator: "none", description: "All Systems Operational" } });
    case "api.exchangerate.example/latest":
      return json(200, {
        base: url.searchParams.get("base") ?? "USD",
        rates: { EUR: 0.92, GBP: 0.79, JPY: 151.3, BRL: 5.05 },
      });
    case "api.partner.example/v1/accounts":
      return json(200, { accounts: [{ id: "acc_1", name: "Acme GmbH", balanceCents: 1_250_000 }] });
    default:
      return {
        status: 404,
        ok: false,
        headers: { "content-type": "text/plain" },
        body: "Not Found",
      };
  }
}

export const httpTools: Record<string, ToolHandler> = {
  "http.fetch": async (args, context) => {
    const raw = requireString(args, "url");
    const method = (optionalString(args, "method") ?? "GET").toUpperCase();
    if (!URL.canParse(raw)) throw new ToolError("InvalidArgumentError", `invalid URL: ${raw}`);
    const url = new URL(raw);
    if (url.hostname === "169.254.169.254" || url.hostname === "localhost") {
      throw new ToolError(
        "ForbiddenError",
        `blocked: ${url.hostname} is not reachable from the sandbox`,
      );
    }
    if (url.hostname === "timeout.example") {
      await latency(raw, 1500, 1500);
      throw new ToolError("FetchTimeoutError", `${method} ${raw}: no response within 1500 ms`);
    }
    if (url.hostname === "api.partner.example") {
      // First use needs the user's consent, as an OAuth flow would.
      await context.elicit({
        kind: "url",
        message: "Authorize the demo to read your Partner API accounts",
        url: `https://auth.partner.example/oauth/authorize?client_id=runtrace-demo&state=${context.executionId}`,
      });
    }
    await latency(`http.fetch ${method} ${raw}`, 50, 350);
    return { url: raw, method, ...route(url) };
  },
};
