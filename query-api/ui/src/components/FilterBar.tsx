import { forwardRef, useEffect, useState } from "react";
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
    const [draft, setDraft] = useState(text);
    const [editing, setEditing] = useState(false);
    const [error, setError] = useState<string | null>(null);
    useEffect(() => {
      if (!editing) setDraft(text);
    }, [text, editing]);

    const apply = () => {
      const parsed = parseCommand(draft);
      if (!parsed.ok) {
        setError(parsed.error);
        return;
      }
      setError(null);
      setEditing(false);
      setView({ ...parsed.filter });
      setDraft(formatCommand(parsed.filter));
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
          value={draft}
          onFocus={() => setEditing(true)}
          onBlur={() => {
            // Leaving the bar drops an unapplied edit (and its error): it shows the filter again.
            setEditing(false);
            setError(null);
            setDraft(text);
          }}
          onChange={(e) => {
            setDraft(e.target.value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter") apply();
            if (e.key === "Escape") {
              setError(null);
              setDraft(text);
              setEditing(false);
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
