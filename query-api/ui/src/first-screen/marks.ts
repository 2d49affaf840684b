/** The page's performance marks and the first screen's element, shared by boot and app. */

/** The first page of runs and its numbers are on screen: the figure `bench ui` reads. */
export const FIRST_DATA_MARK = "runs:first-data";
/** The app itself is on screen and answers clicks and keys. */
export const INTERACTIVE_MARK = "runs:interactive";
/** The element holding a first screen the query API rendered, until the app replaces it. */
export const FIRST_SCREEN_ID = "first-screen";
