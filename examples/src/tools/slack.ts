/** `slack.*`: posting to a few fake channels, with Slack's error codes. */
import type { ToolHandler } from "../sandbox/index.ts";
import { FIXTURE_EPOCH, hash, latency, requireString, ToolError } from "./support.ts";

const CHANNELS = new Set(["#general", "#eng", "#alerts", "#deploys", "#support"]);
const ARCHIVED = new Set(["#archived-2019"]);
const USERS: Record<string, { id: string; name: string; tz: string }> = {
  "maria@acme.example": { id: "U01MARIA", name: "María López", tz: "Europe/Madrid" },
  "dan@acme.example": { id: "U02DAN", name: "Dan Chen", tz: "America/Los_Angeles" },
  "kim@acme.example": { id: "U03KIM", name: "Kim Wong", tz: "Asia/Singapore" },
};

/** Slack answers `ok: false` with a code; here that is a thrown `SlackApiError`. */
function slackError(code: string): ToolError {
  return new ToolError("SlackApiError", `slack: ${code}`);
}

export const slackTools: Record<string, ToolHandler> = {
  "slack.chat.post": async (args) => {
    const channel = requireString(args, "channel");
    const text = requireString(args, "text");
    await latency(`slack.chat.post ${channel} ${text.length}`, 40, 160);
    if (ARCHIVED.has(channel)) throw slackError("is_archived");
    if (!CHANNELS.has(channel)) throw slackError("channel_not_found");
    if (text.length > 4000) throw slackError("msg_too_long");
    const ts = `${Math.floor(FIXTURE_EPOCH / 1000) + (hash(text) % 86_400)}.000${hash(channel) % 1000}`;
    return { ok: true, channel, ts };
  },

  "slack.users.lookupByEmail": async (args) => {
    const email = requireString(args, "email").toLowerCase();
    await latency(`slack.users.lookupByEmail ${email}`, 30, 90);
    const user = USERS[email];
    if (user === undefined) throw slackError("users_not_found");
    return { ok: true, user: { ...user, email } };
  },
};
