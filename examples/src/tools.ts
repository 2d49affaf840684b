/**
 * The demo's tool registry: fake GitHub, Slack, a database, HTTP, a file system and CI, with
 * small artificial delays and deterministic failures for certain inputs. No network access.
 *
 * | tool | fails when |
 * | --- | --- |
 * | `github.issues.list/create/comment` | repo `acme/private-infra` (403), unknown repo (404); `create` on `acme/payments` asks for approval |
 * | `slack.chat.post` | unknown channel (`channel_not_found`), `#archived-2019`, text over 4000 chars |
 * | `slack.users.lookupByEmail` | unknown email (`users_not_found`) |
 * | `db.query` | anything but SELECT (read-only), unknown table; `pg_sleep(s)` takes seconds |
 * | `http.fetch` | `timeout.example` (after 1.5 s), metadata/localhost (blocked); `api.partner.example` asks for OAuth consent |
 * | `fs.read`, `fs.list` | missing path (ENOENT), `/etc/shadow`, `/workspace/.env` (EACCES) |
 * | `ci.pipeline.run` | branch `broken-build`; takes 1.2–3 s |
 * | `ci.pipeline.wait` | never in practice: waits 30 minutes (the demo's in-progress runs) |
 */
import type { ToolRegistry } from "./sandbox/index.ts";
import { ciTools } from "./tools/ci.ts";
import { dbTools } from "./tools/db.ts";
import { fsTools } from "./tools/fs.ts";
import { githubTools } from "./tools/github.ts";
import { httpTools } from "./tools/http.ts";
import { slackTools } from "./tools/slack.ts";

export { ToolError } from "./tools/support.ts";

export function createTools(): ToolRegistry {
  return {
    ...githubTools,
    ...slackTools,
    ...dbTools,
    ...httpTools,
    ...fsTools,
    ...ciTools,
  };
}
