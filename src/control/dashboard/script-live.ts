/**
 * dashboard.js, part 6: the trace so far and then /api/live (history and live merged by the
 * records' "t"), what a burst of records makes the page re-read, and the start.
 */
export const SCRIPT_LIVE = String.raw`
  var MODULES_EVERY_MS = 3000;
  var WORLD_EVERY_MS = 5000;

  // ---------------------------------------------------------------- live records

  function setStatus(cls, text) {
    var status = $('live-status');
    status.className = 'status ' + cls;
    status.textContent = text;
  }

  /** The newest record shown (by "t"), and the records at that "t": history and live overlap. */
  var newest = { t: -Infinity, time: '', keys: new Set() };
  function isNew(record) {
    if (typeof record.t !== 'number') return true;
    if (record.t > newest.t) {
      newest = { t: record.t, time: record.time || '', keys: new Set() };
    } else if (record.t < newest.t) {
      return false;
    }
    var key = JSON.stringify(record);
    if (newest.keys.has(key)) return false;
    newest.keys.add(key);
    return true;
  }

  var queue = [];
  var flushTimer = null;
  var refreshTimer = null;

  /** Records go out to the page at most every 50 ms, a burst as one batch. */
  function take(records) {
    records = records.filter(isNew);
    if (!records.length) return;
    queue.push.apply(queue, records);
    if (flushTimer === null) flushTimer = setTimeout(flush, 50);
  }

  function flush() {
    flushTimer = null;
    var records = queue.splice(0);
    addRecords(records);
    var world = false, faults = false, state = false;
    records.forEach(function (r) {
      if (r.world) world = true;
      if (r.faultStarted || r.faultStopped) faults = true;
      if (r.dir === 'info' || r.kind === 'urc' || r.kind === 'final') state = true;
    });
    if (world) refreshWorld();
    if (faults) refreshFaults();
    // What a module reports changes its state: look again soon (once per burst).
    if (state && refreshTimer === null) refreshTimer = setTimeout(function () { refreshTimer = null; refreshModules(); }, 300);
  }

  var backoff = 500;
  function connectLive() {
    var url = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/api/live' +
      (token ? '?token=' + encodeURIComponent(token) : '');
    var socket = new WebSocket(url);
    var syncing = true;
    var early = [];
    socket.onopen = function () {
      backoff = 500;
      setStatus('live', 'live');
      // What happened before (or while reconnecting), then what came in meanwhile.
      var since = newest.time ? '?since=' + encodeURIComponent(newest.time) : '';
      fetchTrace(since).then(function (records) { take(records); }, function (e) { showError(e.message); })
        .then(function () { syncing = false; take(early.splice(0)); });
    };
    socket.onmessage = function (event) {
      var record;
      try { record = JSON.parse(event.data); } catch (e) { return; }
      if (syncing) early.push(record); else take([record]);
    };
    socket.onclose = function () {
      setStatus('down', apiRefusal ? 'API: ' + apiRefusal : 'disconnected — retrying');
      setTimeout(connectLive, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  // ---------------------------------------------------------------- start

  /** With a token, a plain link cannot send it: fetch the trace and save it from here. */
  function wireTraceDownload() {
    var link = $('trace-download');
    if (!token) return;
    link.addEventListener('click', function (event) {
      event.preventDefault();
      fetch('/api/trace', { headers: { Authorization: 'Bearer ' + token } }).then(function (res) {
        if (!res.ok) throw new Error('trace: ' + res.status);
        return res.blob();
      }).then(function (blob) {
        var a = el('a', { href: URL.createObjectURL(blob), download: 'fc41d-trace.jsonl' });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
      }, function (e) { showError(e.message); });
    });
  }

  function start() {
    worldTimeline.timeline = $('timeline-world');
    var forms = $('fault-forms');
    FAULT_KINDS.forEach(function (entry) { forms.appendChild(faultForm(entry[0], entry[1])); });
    wireTraceDownload();
    // The modules first, so their cards (and timelines) are in index order.
    refreshModules().then(connectLive);
    refreshWorld();
    refreshFaults();
    setInterval(refreshModules, MODULES_EVERY_MS);
    setInterval(function () { refreshWorld(); refreshFaults(); }, WORLD_EVERY_MS);
  }

  start();
`;
