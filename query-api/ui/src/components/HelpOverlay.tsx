import { useEffect, useRef } from "react";

const KEYS: [string, string][] = [
  ["j", "live mode on / off"],
  ["r", "refresh"],
  ["/", "type a filter"],
  ["b", "show / hide the filter rail"],
  ["↑ ↓", "move through runs (the open run follows)"],
  ["Enter", "open the selected run"],
  ["Esc", "close the run, this help, or leave a field"],
  ["?", "this help"],
];

const SYNTAX =
  'id:<trace or run id>  scope:acme  status:failed,cancelled  trigger:mcp  tool:github.*  elicitation:true  after:1h  before:2026-04-11  code:"rate limit"';

export function HelpOverlay({ onClose }: { onClose(): void }) {
  const dialog = useRef<HTMLDivElement>(null);
  // The dialog takes the focus, so a screen reader reads it and Tab starts inside it.
  useEffect(() => dialog.current?.focus(), []);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click beside the dialog closes it; Esc does the same from the keyboard
    <div
      className="overlay"
      role="presentation"
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        className="help"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        data-testid="help"
        ref={dialog}
        tabIndex={-1}
      >
        <button
          type="button"
          className="help-close"
          aria-label="Close the help"
          title="Close (Esc)"
          data-testid="help-close"
          onClick={onClose}
        >
          ×
        </button>
        <h2>Keyboard</h2>
        <dl>
          {KEYS.map(([key, what]) => (
            <div key={key}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <h2>Filter bar</h2>
        <p>
          <code>{SYNTAX}</code>
        </p>
        <p className="muted">
          Words without a key search the code; a pasted trace id or run id searches by id (over all
          time unless <code>after:</code> says otherwise). Relative times take m, h, d, w;{" "}
          <code>after:all</code> drops the time bound. What the bar leaves out goes back to the
          default (the last 24 h).
        </p>
      </div>
    </div>
  );
}
