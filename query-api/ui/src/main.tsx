/**
 * The page's entry: the first requests, unless the script inlined in index.html asked for them
 * already (boot.ts), then the app (React and the rest, a separate chunk) while the answers come.
 * Asking only once the app had loaded and rendered cost about 170 ms of a cold first render.
 * Behind a first screen from the query API the app starts once that has been painted.
 */
import { boot } from "./boot.ts";
import { afterPaint } from "./first-screen/after-paint.ts";
import { firstDataShown, hasFirstScreen } from "./first-screen/takeover.ts";
// In the entry, so the built index.html links it: a first screen rendered by the query API
// needs the page's style before the app has loaded.
import "./styles.css";

boot();
const start = () => void import("./render.tsx");
// Behind a first screen, once it has been painted (the page's served script imports this
// module then; a page parsed to its end runs it earlier).
if (hasFirstScreen() && !firstDataShown()) afterPaint(start);
else start();
