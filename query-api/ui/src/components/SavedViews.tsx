import { useState } from "react";
import { prefsFromCookie, storePrefs } from "../first-screen/prefs.ts";
import { type ColumnId, storeHiddenColumns } from "../hooks/useColumns.ts";
import { useDismiss } from "../hooks/useDismiss.ts";
import { deleteView, loadViews, type SavedView, saveView, viewLink } from "../view/saved-views.ts";

/**
 * Name the current view (filters, range, sort from the URL; the hidden columns), list the saved
 * ones, open one, copy one as a link. Kept in this browser's storage.
 */
export function SavedViews({ hidden }: { hidden: ReadonlySet<ColumnId> }) {
  const [open, setOpen] = useState(false);
  const [views, setViews] = useState<SavedView[]>(loadViews);
  const [name, setName] = useState("");
  const [copied, setCopied] = useState<string | null>(null);
  const box = useDismiss(open, () => setOpen(false));
  const save = () => {
    const trimmed = name.trim();
    if (!trimmed) return;
    setViews(saveView({ name: trimmed, search: window.location.search, hidden: [...hidden] }));
    setName("");
  };
  const openView = (view: SavedView) => {
    storeHiddenColumns(view.hidden as ColumnId[]);
    // The query API lays out the next page's first screen by the cookie: the view's columns.
    storePrefs({
      ...prefsFromCookie(document.cookie),
      hidden: view.hidden as ColumnId[],
    });
    window.location.assign(`/runs${view.search}`);
  };
  const copy = async (view: SavedView) => {
    const link = viewLink(view, window.location.origin);
    try {
      await navigator.clipboard.writeText(link);
      setCopied(view.name);
    } catch {
      // No clipboard (an insecure origin): the link is shown to copy by hand.
      window.prompt("Link to this view", link);
    }
  };
  return (
    <div className="menu" ref={box}>
      <button
        type="button"
        data-testid="views-button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        Views
      </button>
      {open && (
        <div className="menu-pop views-pop" data-testid="views-menu">
          <form
            className="view-save"
            onSubmit={(e) => {
              e.preventDefault();
              save();
            }}
          >
            <input
              data-testid="view-name"
              placeholder="Name this view"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            <button type="submit" data-testid="view-save" disabled={!name.trim()}>
              Save
            </button>
          </form>
          {views.length === 0 && <p className="muted">No saved views yet.</p>}
          {views.map((view) => (
            <div className="view-item" key={view.name} data-testid="view-item">
              <a
                href={`/runs${view.search}`}
                data-testid="view-open"
                onClick={(e) => {
                  e.preventDefault();
                  openView(view);
                }}
              >
                {view.name}
              </a>
              <button
                type="button"
                className="link"
                data-testid="view-copy"
                onClick={() => void copy(view)}
              >
                {copied === view.name ? "copied" : "copy link"}
              </button>
              <button
                type="button"
                className="link"
                data-testid="view-delete"
                title={`Forget "${view.name}"`}
                onClick={() => setViews(deleteView(view.name))}
              >
                ×
              </button>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
