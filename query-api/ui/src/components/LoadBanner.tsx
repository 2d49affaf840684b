import { type ReactNode, useEffect, useState } from "react";
import type { ApiError } from "../api/client.ts";

/** Seconds until `at`, counted down once a second (0 once it has passed). */
function useSecondsUntil(at: number | null): number {
  const left = () => (at === null ? 0 : Math.max(0, Math.ceil((at - Date.now()) / 1000)));
  const [seconds, setSeconds] = useState(left);
  // biome-ignore lint/correctness/useExhaustiveDependencies: left reads only `at`
  useEffect(() => {
    setSeconds(left());
    if (at === null) return;
    const timer = setInterval(() => setSeconds(left()), 250);
    return () => clearInterval(timer);
  }, [at]);
  return seconds;
}

/**
 * Why the list is not the current answer. A refused filter or a missing token says so; an
 * outage keeps the last answer on screen (dimmed) and tells when the page asks again.
 */
export function LoadBanner(props: {
  error: ApiError;
  /** The next automatic retry (epoch ms); null when live polling retries or nothing does. */
  retryAt: number | null;
  live: boolean;
  /** The page still shows an earlier answer. */
  showingLast: boolean;
  onRetry(): void;
  tokenForm: ReactNode;
}) {
  const { error } = props;
  const seconds = useSecondsUntil(props.retryAt);
  const wantsToken = error.status === 401 || error.status === 403;
  const refused = error.status === 400;
  const retrying =
    props.retryAt !== null
      ? seconds > 0
        ? `retrying in ${seconds} s`
        : "retrying…"
      : props.live
        ? "retrying with the next poll"
        : "";
  return (
    <div className="banner error-banner" role="alert" data-testid="error">
      <span>
        {wantsToken
          ? "The query API wants an API token."
          : refused
            ? `The API refused this filter: ${error.message}`
            : `Could not load runs: ${error.message}.`}
        {!wantsToken && !refused && (
          <span className="banner-note" data-testid="error-retry">
            {props.showingLast ? " Showing the last answer, dimmed" : ""}
            {props.showingLast && retrying ? "; " : " "}
            {retrying}
          </span>
        )}
      </span>
      {wantsToken ? (
        props.tokenForm
      ) : (
        <button type="button" onClick={props.onRetry}>
          {props.retryAt !== null ? "Retry now" : "Retry"}
        </button>
      )}
    </div>
  );
}
