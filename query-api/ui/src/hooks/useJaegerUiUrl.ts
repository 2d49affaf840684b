import { useEffect, useState } from "react";
import { getAbout } from "../api/client.ts";
import type { About } from "../api/types.ts";

/** One read of `/v1/about` for every drawer this page opens; forgotten when it fails. */
let about: Promise<About> | null = null;

/**
 * The Jaeger UI the operator pointed at runtrace (`RUNTRACE_JAEGER_UI_URL`, from
 * `/v1/about`), where the drawer links a run's trace; null when none is set or it is unknown.
 */
export function useJaegerUiUrl(): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    about ??= getAbout().catch((error: unknown) => {
      about = null;
      throw error;
    });
    about.then(
      (answer) => {
        if (live) setUrl(answer.jaegerUiUrl ?? null);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return url;
}
