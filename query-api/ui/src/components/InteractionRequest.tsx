import { prettyJson, unwrapJson } from "../format.ts";

/** Only web links become anchors: a payload is data from a runtime, not trusted markup. */
function webUrl(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/**
 * What an interaction asks, readable: its message, the URL to open (a sign-in, an OAuth
 * consent) as a link, a form's fields; anything else as JSON.
 */
export function InteractionRequest({ payload }: { payload: unknown }) {
  const value = unwrapJson(payload);
  const fields = record(value);
  if (!fields) {
    return value === null || value === undefined || value === "" ? null : (
      <pre>{prettyJson(value)}</pre>
    );
  }
  const { message, url, schema, kind: _kind, ...rest } = fields;
  const link = webUrl(url);
  const properties = record(record(schema)?.properties);
  const restKeys = Object.keys(rest);
  return (
    <div className="interaction-request" data-testid="interaction-request">
      {typeof message === "string" && message !== "" && <p className="ask">{message}</p>}
      {link ? (
        <p>
          <a href={link} target="_blank" rel="noreferrer noopener" data-testid="interaction-link">
            {link}
          </a>
        </p>
      ) : (
        url !== undefined && <p className="muted">url: {prettyJson(url)}</p>
      )}
      {properties && (
        <ul className="form-fields" data-testid="interaction-fields">
          {Object.entries(properties).map(([name, spec]) => (
            <li key={name}>
              <code>{name}</code>
              {typeof record(spec)?.type === "string" && (
                <span className="muted"> · {String(record(spec)?.type)}</span>
              )}
              {typeof record(spec)?.description === "string" && (
                <span> — {String(record(spec)?.description)}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {schema !== undefined && !properties && <pre>{prettyJson(schema)}</pre>}
      {restKeys.length > 0 && <pre>{prettyJson(rest)}</pre>}
    </div>
  );
}
