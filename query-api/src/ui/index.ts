/**
 * @module
 * The /runs page: serves the React app that `npm run build` puts in `query-api/ui/dist`.
 */

export { DEFAULT_UI_DIR, type RunsPageOptions, runsPageRoutes } from "./runs-page.ts";
