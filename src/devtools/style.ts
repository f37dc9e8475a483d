/**
 * The panel's stylesheet, scoped by its shadow root so it neither takes nor leaks the app's CSS.
 */

/** CSS text of `<tabrelay-devtools>`. */
export const PANEL_CSS = `
:host { display: block; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; color: #e6e6e6;
  background: #1e1f24; border: 1px solid #3a3b42; border-radius: 6px; max-height: 70vh; overflow: auto; }
header { position: sticky; top: 0; display: flex; gap: 8px; align-items: center; padding: 6px 8px;
  background: #2a2b31; font-weight: 600; }
button { font: inherit; color: inherit; background: #3a3b42; border: 1px solid #555; border-radius: 4px;
  padding: 1px 8px; cursor: pointer; }
.body { padding: 4px 8px 8px; }
h3 { margin: 10px 0 4px; font-size: 12px; color: #9ecbff; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 1px 6px 1px 0; vertical-align: top; white-space: nowrap; }
th { color: #999; font-weight: normal; }
ol { margin: 0; padding-left: 18px; max-height: 160px; overflow: auto; }
time { color: #888; }
textarea { width: 100%; height: 120px; box-sizing: border-box; font: inherit; }
.error, [data-code] { color: #ff9b9b; }
[data-status="open"] { color: #8ee08e; }
[data-status="reconnecting"], [data-status="paused"] { color: #f0c674; }
[data-status="closed"] { color: #ff9b9b; }
`
