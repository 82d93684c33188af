/**
 * The HTML of the Wi-Fi configuration web page (manual §2.1.26, AT+QWEBCFG): the form page
 * and the result page, as strings. Plain HTML that works with a plain form POST; the one
 * small script only copies a picked AP's SSID into the SSID field.
 *
 * SSIDs come from the air and are attacker-controlled: every value goes through escapeHtml.
 */
import { createHash } from 'node:crypto';

/** An access point as the page lists it. */
export interface WebConfigAp {
  ssid: string;
  /** e.g. 'WPA2_AES_PSK' or 'OPEN' */
  security: string;
  /** dBm, negative */
  rssi: number;
  channel: number;
  bssid: string;
}

export interface PageDevice {
  label: string;
  mac: string;
  softApSsid: string;
}

export interface FormView {
  device: PageDevice;
  aps: WebConfigAp[];
  /** Why the scan failed, when it did (the form still works with a typed SSID). */
  scanError?: string;
  /** A failed attempt's message, shown above the form. */
  error?: string;
  /** The SSID to pre-fill (after a failed attempt). The key is never echoed back. */
  ssid?: string;
}

export interface ResultView {
  device: PageDevice;
  ssid: string;
  ip: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

// Reads the picked radio's value from the DOM, so no SSID is ever inside script text.
const PICK_SCRIPT =
  "document.querySelectorAll('input[name=ap]').forEach(function(r){r.addEventListener('change',function(){document.getElementById('ssid').value=r.value;document.getElementById('key').focus();});});";

/** The pages' Content-Security-Policy: inline CSS, and only the script above (by hash). */
export const PAGE_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${createHash('sha256').update(PICK_SCRIPT).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const STYLE = `
body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f3f5f8;color:#1d2733}
main{max-width:640px;margin:24px auto;background:#fff;border-radius:8px;padding:20px 24px;box-shadow:0 1px 4px #0002}
h1{font-size:20px;margin:0 0 4px}.sub{color:#5b6775;margin:0 0 16px;font-size:13px}
table{width:100%;border-collapse:collapse;margin:8px 0 16px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e7ec}
th{font-size:12px;color:#5b6775;text-transform:uppercase}tr:hover td{background:#f6f9fc}
label.ap{display:block;cursor:pointer}.bssid{color:#8a94a0;font-size:11px;font-family:monospace}
meter{width:60px;vertical-align:middle}.num{white-space:nowrap}
.field{margin:8px 0}.field label{display:block;font-size:13px;color:#5b6775}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:7px;font-size:15px;border:1px solid #b9c2cc;border-radius:4px}
button{margin-top:12px;padding:8px 20px;font-size:15px;background:#1565c0;color:#fff;border:0;border-radius:4px;cursor:pointer}
.error{background:#fdecea;color:#8c1d18;padding:8px 12px;border-radius:4px}.ok{background:#e7f5ea;color:#1b5e20;padding:8px 12px;border-radius:4px}
.empty{color:#5b6775}`;

function layout(title: string, device: PageDevice, body: string, script = ''): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
<h1>FC41D Wi-Fi configuration</h1>
<p class="sub">${escapeHtml(device.label)} · MAC <span id="mac">${escapeHtml(device.mac)}</span> · soft-AP <span id="softap">${escapeHtml(device.softApSsid)}</span></p>
${body}
</main>${script}</body></html>
`;
}

function apRow(ap: WebConfigAp, index: number, selected: boolean): string {
  const id = `ap${index}`;
  // A hidden network (empty SSID) cannot be picked from the list; type its name instead.
  const name = ap.ssid === '' ? '<em>(hidden)</em>' : escapeHtml(ap.ssid);
  const radio = ap.ssid === ''
    ? ''
    : `<input type="radio" name="ap" id="${id}" value="${escapeHtml(ap.ssid)}"${selected ? ' checked' : ''}> `;
  return `<tr><td><label class="ap" for="${id}">${radio}<span class="ssid">${name}</span>`
    + `<br><span class="bssid">${escapeHtml(ap.bssid)}</span></label></td>`
    + `<td>${escapeHtml(ap.security)}</td>`
    + `<td class="num"><meter min="-100" max="-30" low="-80" high="-60" optimum="-30" value="${Number(ap.rssi)}"></meter> ${Number(ap.rssi)} dBm</td>`
    + `<td class="num">${Number(ap.channel)}</td></tr>`;
}

/** GET / (and a failed or rejected POST /connect): the scanned APs and the SSID/key form. */
export function renderFormPage(view: FormView): string {
  const aps = [...view.aps].sort((a, b) => b.rssi - a.rssi);
  const rows = aps.map((ap, i) => apRow(ap, i, ap.ssid !== '' && ap.ssid === view.ssid)).join('\n');
  const list = view.scanError !== undefined
    ? `<p class="error" id="scan-error">Scan failed: ${escapeHtml(view.scanError)}</p>`
    : aps.length === 0
      ? '<p class="empty">No access points found. Type the SSID below.</p>'
      : `<table id="aps"><thead><tr><th>SSID</th><th>Security</th><th>Signal</th><th>Channel</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
  const error = view.error !== undefined ? `<p class="error" id="error" role="alert">${escapeHtml(view.error)}</p>` : '';
  const body = `${error}
<form method="post" action="/connect">
<h2 style="font-size:16px;margin:8px 0 0">Available networks</h2>
${list}
<div class="field"><label for="ssid">SSID (1–32 bytes)</label><input type="text" id="ssid" name="ssid" value="${escapeHtml(view.ssid ?? '')}" autocomplete="off"></div>
<div class="field"><label for="key">Key (empty for an open network, else 8–63 bytes)</label><input type="password" id="key" name="key" autocomplete="off"></div>
<button type="submit" id="connect">Connect</button>
</form>`;
  return layout('FC41D Wi-Fi configuration', view.device, body, `<script>${PICK_SCRIPT}</script>`);
}

/** POST /connect that joined: the address the module got. */
export function renderResultPage(view: ResultView): string {
  const body = `<p class="ok" id="result">Connected to <strong>${escapeHtml(view.ssid)}</strong>.</p>
<p>IP address: <strong id="ip">${escapeHtml(view.ip)}</strong></p>
<p class="sub">The module saved this network (as AT+QSTAAPINFODEF does).</p>
<p><a href="/">Back</a></p>`;
  return layout('Connected', view.device, body);
}
