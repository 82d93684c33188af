/**
 * dashboard.js, part 4: the world's APs (on/off switch, signal slider) and BLE peers, rows kept
 * by name and updated in place so a slider being dragged is not reset under the pointer.
 */
export const SCRIPT_WORLD = String.raw`
  // ---------------------------------------------------------------- world

  var apRows = {};
  var peerRows = {};

  function patchAp(ssid, patch, onFail) {
    api('PATCH', '/api/world/access-points/' + encodeURIComponent(ssid), patch).then(refreshWorld, function (e) {
      showError(ssid + ': ' + e.message);
      if (onFail) onFail();
      refreshWorld();
    });
  }

  function apRow(ssid) {
    var row = { dragging: false };
    row.toggle = el('input', { type: 'checkbox', 'data-testid': 'ap-toggle-' + ssid, 'aria-label': ssid + ' on' });
    row.toggle.addEventListener('change', function () {
      var up = row.toggle.checked;
      patchAp(ssid, { up: up }, function () { row.toggle.checked = !up; });
    });
    row.slider = el('input', { type: 'range', min: -100, max: 0, step: 1, 'data-testid': 'ap-rssi-' + ssid, 'aria-label': ssid + ' signal' });
    row.value = el('output', { 'data-testid': 'ap-rssi-value-' + ssid });
    row.slider.addEventListener('pointerdown', function () { row.dragging = true; });
    row.slider.addEventListener('input', function () { row.value.textContent = row.slider.value; });
    row.slider.addEventListener('change', function () {
      row.dragging = false;
      patchAp(ssid, { rssi: Number(row.slider.value) });
    });
    row.security = el('td');
    row.channel = el('td');
    row.tr = el('tr', { 'data-testid': 'ap-' + ssid }, [
      el('td', {}, [row.toggle]),
      el('td', { class: 'ssid', text: ssid }),
      row.security,
      row.channel,
      el('td', { class: 'rssi' }, [row.slider, row.value]),
    ]);
    return row;
  }

  function showAps(aps) {
    var seen = {};
    var body = $('aps');
    aps.forEach(function (ap) {
      seen[ap.ssid] = true;
      var row = apRows[ap.ssid] || (apRows[ap.ssid] = apRow(ap.ssid));
      if (row.tr.parentNode !== body) body.appendChild(row.tr);
      row.toggle.checked = ap.up !== false;
      row.tr.className = ap.up === false ? 'down' : '';
      row.security.textContent = ap.security || '';
      row.channel.textContent = ap.channel === undefined ? '' : String(ap.channel);
      if (!row.dragging && document.activeElement !== row.slider) {
        row.slider.value = String(ap.rssi);
        row.value.textContent = String(ap.rssi);
      }
    });
    Object.keys(apRows).forEach(function (ssid) {
      if (!seen[ssid]) { apRows[ssid].tr.remove(); delete apRows[ssid]; }
    });
  }

  function showPeers(peers) {
    var seen = {};
    var body = $('peers');
    peers.forEach(function (peer) {
      seen[peer.name] = true;
      var row = peerRows[peer.name];
      if (!row) {
        row = peerRows[peer.name] = { address: el('td'), rssi: el('td'), connected: el('td') };
        row.tr = el('tr', { 'data-testid': 'peer-' + peer.name }, [el('td', { text: peer.name }), row.address, row.rssi, row.connected]);
        body.appendChild(row.tr);
      }
      row.address.textContent = peer.address || '';
      row.rssi.textContent = peer.rssi === undefined ? '' : String(peer.rssi);
      row.connected.textContent = peer.connected ? 'yes' : 'no';
    });
    Object.keys(peerRows).forEach(function (name) {
      if (!seen[name]) { peerRows[name].tr.remove(); delete peerRows[name]; }
    });
    $('peers-none').hidden = peers.length > 0;
  }

  function refreshWorld() {
    return api('GET', '/api/world').then(function (world) {
      showAps((world && world.accessPoints) || []);
      showPeers((world && world.ble && world.ble.peers) || []);
    }, function (e) { setStatus('down', 'API: ' + e.message); });
  }
`;
