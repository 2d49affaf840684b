import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export interface Listening {
  /** `http://host:port`, with the port actually bound (port 0 picks a free one). */
  url: string;
  port: number;
  /** Stops accepting connections and resolves once in-flight requests have been answered. */
  close(): Promise<void>;
}

/** Serves a Hono app on Node's HTTP server. */
/** Anything with a fetch handler: a Hono app of any environment type. */
export interface FetchApp {
  fetch: (request: Request) => Response | Promise<Response>;
}

export function listen(app: FetchApp, port: number, host: string): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${shownHost}:${info.port}`,
        port: info.port,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive connections with no request in flight would hold close() open.
            if ("closeIdleConnections" in server) server.closeIdleConnections();
          });
          return closing;
        },
      });
    });
    server.once("error", reject);
  });
}
