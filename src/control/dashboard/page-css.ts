/**
 * The dashboard's stylesheet (`/dashboard.css`). The timeline's row classes tell the kinds
 * apart: what the host sent (`row-command`, `row-sent`) leans left in blue, what the module
 * answered by kind (`row-final`, `row-urc`, `row-response`, `row-data`, `row-prompt`,
 * `row-boot`), and the emulator's own notes (`row-info`, `row-failure`, `row-fault`).
 */
export const DASHBOARD_CSS = String.raw`
:root {
  --bg: #f6f7f9; --panel: #fff; --line: #dde1e6; --text: #1d232b; --muted: #69727d;
  --host: #1f5fbf; --final-ok: #1d7a3a; --final-err: #b3261e; --urc: #8a4b00; --data: #5b3cc4;
  --info: #69727d; --mono: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.4 system-ui, sans-serif; }
header { display: flex; align-items: center; gap: 12px; padding: 8px 16px; background: #1d232b; color: #fff; }
header h1 { margin: 0; font-size: 18px; }
header a { color: #9cc3ff; }
.spacer { flex: 1; }
.status { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #555; }
.status.live { background: var(--final-ok); }
.status.down { background: var(--final-err); }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(320px, 2fr); gap: 16px; padding: 16px; }
@media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
h2 { font-size: 15px; margin: 0 0 8px; }
section { margin-bottom: 16px; }
aside section, .module { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.muted { color: var(--muted); }
.error { color: var(--final-err); margin: 8px 16px; }
button { font: inherit; padding: 2px 10px; cursor: pointer; }

/* Modules */
.module { margin-bottom: 16px; }
.module-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 16px; }
.module-head h3 { margin: 0; font-size: 15px; }
.module-state { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 6px 0; font-size: 13px; }
.module-state b { font-weight: 600; }
.module-actions { display: flex; gap: 6px; margin-left: auto; }
.pill { display: inline-block; padding: 0 6px; border-radius: 8px; background: #e8ebef; font-size: 12px; }
.pill.on, .pill.connected, .pill.GOT_IP { background: #d8f0df; }
.pill.off { background: #f6d9d7; }

/* Timelines */
.timeline { height: 360px; overflow-y: auto; border: 1px solid var(--line); border-radius: 4px;
  font: 12px/1.45 var(--mono); background: #fcfcfd; }
#timeline-world { height: 180px; }
.row { display: grid; grid-template-columns: 92px 64px minmax(0, 1fr); gap: 8px; padding: 1px 6px;
  border-bottom: 1px solid #f0f1f3; }
.row .time { color: var(--muted); }
.row .label { font-weight: 600; text-transform: uppercase; font-size: 10px; padding-top: 2px; }
.row .text { white-space: pre-wrap; overflow-wrap: anywhere; }
.row .size { color: var(--muted); }
.row-command, .row-sent { background: #eef4fd; }
.row-command .label, .row-sent .label, .row-command .text { color: var(--host); }
.row-final .label { color: var(--final-ok); }
.row-final.err .label, .row-final.err .text { color: var(--final-err); }
.row-urc .label, .row-urc .text { color: var(--urc); }
.row-response .label { color: var(--text); }
.row-data .label, .row-data .text, .row-sent.data .text { color: var(--data); }
.row-prompt .label, .row-boot .label { color: var(--muted); }
.row-info .label, .row-info .text { color: var(--info); font-style: italic; }
.row-failure, .row-fault { background: #fdf0ef; }
.row-failure .label, .row-fault .label { color: var(--final-err); }

/* World */
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; font-weight: 600; color: var(--muted); border-bottom: 1px solid var(--line); }
td { padding: 3px 4px; border-bottom: 1px solid #f0f1f3; vertical-align: middle; }
tr.down td.ssid { color: var(--muted); text-decoration: line-through; }
td.rssi { white-space: nowrap; }
td.rssi input { width: 110px; vertical-align: middle; }
td.rssi output { display: inline-block; width: 34px; text-align: right; font-family: var(--mono); }

/* Faults */
#fault-forms { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px; margin-top: 8px; }
.fault-form { border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; display: flex; flex-wrap: wrap;
  gap: 4px 8px; align-items: end; }
.fault-form .kind { width: 100%; font-weight: 600; font-family: var(--mono); }
.fault-form label { display: flex; flex-direction: column; font-size: 11px; color: var(--muted); }
.fault-form input, .fault-form select { font: inherit; font-size: 13px; width: 96px; }
.fault-form input.invalid { outline: 2px solid var(--final-err); }
.fault-form .form-error { width: 100%; color: var(--final-err); font-size: 12px; }
.fault { display: flex; gap: 8px; align-items: center; padding: 3px 0; border-bottom: 1px solid #f0f1f3;
  font-size: 13px; }
.fault .what { flex: 1; font-family: var(--mono); }
`;
