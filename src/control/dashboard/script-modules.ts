/**
 * dashboard.js, part 3: the timelines (rows appended in batches, the last MAX_ROWS kept,
 * following the bottom) and the module cards with their state and buttons.
 */
export const SCRIPT_MODULES = String.raw`
  /** Rows kept per timeline; older ones are dropped. */
  var MAX_ROWS = 2000;

  // ---------------------------------------------------------------- timelines

  /** label → { index, card, parts…, timeline, state } */
  var modules = {};
  var worldTimeline = { timeline: null, state: { pending: '' } };

  function rowFor(record, shown) {
    var cut = abbreviate(shown.text);
    var text = el('span', { class: 'text' }, [cut[0]]);
    if (cut[1]) text.appendChild(el('span', { class: 'size', text: cut[1] }));
    return el('div', { class: 'row ' + shown.cls, title: shown.title || record.time }, [
      el('span', { class: 'time', text: clock(record) }),
      el('span', { class: 'label', text: shown.label }),
      text,
    ]);
  }

  /** The records' rows, appended to their timelines (at most MAX_ROWS each). */
  function addRecords(records) {
    var batches = new Map();
    records.forEach(function (record) {
      var target = record.module ? moduleFor(record.module) : worldTimeline;
      var rows = batches.get(target);
      if (!rows) batches.set(target, (rows = []));
      // The module answering ends any run of host bytes that was not a command.
      if (record.dir === 'out' && record.kind !== 'echo' && target.state.pending) {
        var sent = flushSent(target.state);
        if (sent) rows.push(rowFor(record, sent));
      }
      var shown = describe(record, target.state);
      if (shown) rows.push(rowFor(record, shown));
      if (rows.length > MAX_ROWS) rows.splice(0, rows.length - MAX_ROWS);
    });
    batches.forEach(function (rows, target) {
      var box = target.timeline;
      if (!rows.length || !box) return;
      var atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
      var fragment = document.createDocumentFragment();
      rows.forEach(function (row) { fragment.appendChild(row); });
      box.appendChild(fragment);
      while (box.childElementCount > MAX_ROWS) box.removeChild(box.firstChild);
      if (atBottom) box.scrollTop = box.scrollHeight;
    });
  }

  // ---------------------------------------------------------------- modules

  function moduleAction(index, action) {
    return function () {
      api('POST', '/api/modules/' + index + '/' + action).then(refreshModules, function (e) {
        showError('module ' + index + ' ' + action + ': ' + e.message);
      });
    };
  }

  /** The module's card (made on first sight, from /api/modules or a trace record). */
  function moduleFor(label, index) {
    var m = modules[label];
    if (m) return m;
    if (index === undefined) {
      var match = /(\d+)$/.exec(label);
      index = match ? Number(match[1]) : label;
    }
    var id = 'module-' + index;
    m = modules[label] = { index: index, state: { pending: '' } };
    m.power = el('span', { class: 'pill', 'data-testid': id + '-power' });
    m.wifi = el('span', { 'data-testid': id + '-wifi' });
    m.ble = el('span', { 'data-testid': id + '-ble' });
    m.sockets = el('span', { 'data-testid': id + '-sockets' });
    m.mqtt = el('span', { 'data-testid': id + '-mqtt' });
    m.webcfg = el('span', { 'data-testid': id + '-webcfg' });
    m.timeline = el('div', { class: 'timeline', 'data-testid': 'timeline-' + index, 'aria-label': label + ' timeline' });
    var actions = el('div', { class: 'module-actions' }, ['reset', 'power-cut', 'power-on', 'wake'].map(function (action) {
      var button = el('button', { type: 'button', 'data-testid': id + '-' + action, text: action });
      button.addEventListener('click', moduleAction(index, action));
      return button;
    }));
    m.card = el('div', { class: 'module', 'data-testid': id }, [
      el('div', { class: 'module-head' }, [el('h3', { text: label }), m.power, actions]),
      el('div', { class: 'module-state' }, [
        el('span', {}, [el('b', { text: 'Wi-Fi ' }), m.wifi]),
        el('span', {}, [el('b', { text: 'BLE ' }), m.ble]),
        el('span', {}, [el('b', { text: 'sockets ' }), m.sockets]),
        el('span', {}, [el('b', { text: 'MQTT ' }), m.mqtt]),
        m.webcfg,
      ]),
      m.timeline,
    ]);
    var list = $('modules');
    var loading = list.querySelector('.muted');
    if (loading) loading.remove();
    list.appendChild(m.card);
    return m;
  }

  function showModule(info) {
    var m = moduleFor(info.label, info.index);
    var power = String(info.power || '?');
    m.power.textContent = power;
    m.power.className = 'pill ' + power;
    var wifi = info.wifi || {};
    m.wifi.textContent = [wifi.state, wifi.ssid, wifi.ip].filter(Boolean).join(' · ') || '—';
    var ble = info.ble || {};
    m.ble.textContent = [ble.role, ble.state, ble.address].filter(Boolean).join(' · ') || '—';
    var sockets = info.sockets || [];
    m.sockets.textContent = sockets.length ? sockets.map(function (s) {
      return s.id + ' ' + s.type + ' ' + s.state + (s.remote ? ' ' + s.remote : '');
    }).join(', ') : 'none';
    var mqtt = info.mqtt || [];
    m.mqtt.textContent = mqtt.length ? mqtt.map(function (c) { return c.id + ' ' + c.state; }).join(', ') : 'none';
    m.webcfg.textContent = '';
    if (info.webcfg) m.webcfg.appendChild(el('a', { href: info.webcfg, target: '_blank', rel: 'noopener', text: 'provisioning page' }));
  }

  var moduleCount = -1;
  /** Why the API refused the last look at the modules (a missing token: 401), or ''. */
  var apiRefusal = '';
  function refreshModules() {
    return api('GET', '/api/modules').then(function (list) {
      apiRefusal = '';
      (list || []).forEach(showModule);
      if ((list || []).length !== moduleCount) {
        moduleCount = (list || []).length;
        fillModuleSelects(list || []);
      }
    }, function (e) {
      apiRefusal = e.message;
      setStatus('down', 'API: ' + e.message);
    });
  }
`;
