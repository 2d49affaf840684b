import { forwardRef, useState } from "react";
import type { SetView } from "../hooks/useView.ts";
import { formatCommand, parseCommand } from "../view/command.ts";
import type { RunsView } from "../view/view.ts";

/**
 * The typed filter: it shows the current filter as text and, on Enter, replaces the filter
 * with what was typed. The rail and the bar are two views of the same URL state.
 */
export const FilterBar = forwardRef<HTMLInputElement, { view: RunsView; setView: SetView }>(
  function FilterBar({ view, setView }, ref) {
    const text = formatCommand(view);
    // While the user types, the bar shows the draft; otherwise, always the view's filter.
    const [draft, setDraft] = useState<string | null>(null);
    const [error, setError] = useState<string | null>(null);
    const stopEditing = () => {
      setDraft(null);
      setError(null);
    };

    const apply = () => {
      if (draft === null) return;
      const parsed = parseCommand(draft);
      if (!parsed.ok) {
        setError(parsed.error);
        return;
      }
      stopEditing();
      setView({ ...parsed.filter });
    };

    return (
      <div className={`filter-bar${error ? " has-error" : ""}`}>
        <span className="filter-bar-icon" aria-hidden="true">
          /
        </span>
        <input
          ref={ref}
          className="filter-bar-input"
          type="text"
          spellCheck={false}
          autoComplete="off"
          aria-label="Filter runs"
          data-testid="filter-bar"
          placeholder="status:failed tool:github.* after:1h code:text"
          value={draft ?? text}
          // Leaving the bar drops an unapplied edit (and its error): it shows the filter again.
          onBlur={stopEditing}
          onChange={(e) => {
            setDraft(e.target.value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter") apply();
            if (e.key === "Escape") {
              stopEditing();
              e.currentTarget.blur();
            }
          }}
        />
        {error && (
          <div className="filter-bar-error" role="alert" data-testid="filter-bar-error">
            {error}
          </div>
        )}
      </div>
    );
  },
);
