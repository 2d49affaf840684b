// The script the build inlines into index.html (vite.config.ts): the boot, at parse time.
import { boot } from "./boot.ts";

boot();
