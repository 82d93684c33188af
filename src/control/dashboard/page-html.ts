/**
 * The dashboard's HTML (`GET /`, docs/control.md "Dashboard"): the static skeleton. Everything
 * that depends on the process (modules, timelines, APs, peers, faults) is filled in by
 * dashboard.js from the API; nothing here comes from outside, so nothing needs escaping.
 * No inline script or style: the page works under a `default-src 'self'` CSP.
 */
export const DASHBOARD_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fc41d dashboard</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>fc41d</h1>
  <span class="status" data-testid="live-status" id="live-status">connecting…</span>
  <span class="spacer"></span>
  <a href="/api/trace" id="trace-download" data-testid="trace-download" download="fc41d-trace.jsonl">Download trace (JSONL)</a>
</header>
<p class="error" id="page-error" data-testid="page-error" hidden></p>
<main>
  <section class="modules-column">
    <h2>Modules</h2>
    <div id="modules" data-testid="modules"><p class="muted">loading…</p></div>
  </section>
  <aside class="side-column">
    <section>
      <h2>Access points</h2>
      <table class="aps" data-testid="aps">
        <thead><tr><th>on</th><th>SSID</th><th>security</th><th>ch</th><th>signal (dBm)</th></tr></thead>
        <tbody id="aps"></tbody>
      </table>
    </section>
    <section>
      <h2>BLE peers</h2>
      <table class="peers" data-testid="ble-peers">
        <thead><tr><th>name</th><th>address</th><th>rssi</th><th>connected</th></tr></thead>
        <tbody id="peers"></tbody>
      </table>
      <p class="muted" id="peers-none" hidden>no BLE peers in this world</p>
    </section>
    <section>
      <h2>Faults</h2>
      <div id="faults-active" data-testid="faults-active"></div>
      <p class="muted" id="faults-none">no fault active</p>
      <details open>
        <summary>Start a fault</summary>
        <div id="fault-forms" data-testid="fault-forms"></div>
      </details>
    </section>
    <section>
      <h2>World events</h2>
      <div class="timeline" id="timeline-world" data-testid="timeline-world"></div>
    </section>
  </aside>
</main>
</body>
</html>
`;
