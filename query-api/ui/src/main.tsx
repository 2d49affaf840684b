/**
 * The page's entry: the first requests, unless the script inlined in index.html asked for them
 * already (boot.ts), then the app (React and the rest, a separate chunk) while the answers come.
 * Asking only once the app had loaded and rendered cost about 170 ms of a cold first render.
 */
import { boot } from "./boot.ts";
// In the entry, so the built index.html links it: a first screen rendered by the query API
// needs the page's style before the app has loaded.
import "./styles.css";

boot();
void import("./render.tsx");
