import { useState } from "react";
import { COLUMNS, type ColumnId } from "../hooks/useColumns.ts";
import { useDismiss } from "../hooks/useDismiss.ts";

export function ColumnsMenu(props: {
  hidden: ReadonlySet<ColumnId>;
  onToggle(id: ColumnId): void;
  compact: boolean;
  onCompact(compact: boolean): void;
}) {
  const [open, setOpen] = useState(false);
  const box = useDismiss(open, () => setOpen(false));
  return (
    <div className="menu" ref={box}>
      <button
        type="button"
        data-testid="columns-button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        Columns
      </button>
      {open && (
        <div className="menu-pop" data-testid="columns-menu">
          {COLUMNS.filter((c) => c.id !== "status").map((c) => (
            <label key={c.id}>
              <input
                type="checkbox"
                checked={!props.hidden.has(c.id)}
                onChange={() => props.onToggle(c.id)}
                data-testid={`column-${c.id}`}
              />
              {c.label}
            </label>
          ))}
          <hr />
          <label>
            <input
              type="checkbox"
              checked={props.compact}
              onChange={() => props.onCompact(!props.compact)}
              data-testid="density-compact"
            />
            Compact rows
          </label>
        </div>
      )}
    </div>
  );
}
