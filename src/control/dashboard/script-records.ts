/**
 * dashboard.js, part 2: how a trace record reads in a timeline (kind, label, text, wall-clock
 * time), long texts cut with their size, bytes shown as UTF-8 or escapes. No DOM here, so
 * test/control/dashboard-records.test.ts runs it in node.
 */
export const SCRIPT_RECORDS = String.raw`
  /** Texts longer than this are cut to SHOWN characters and their size. */
  var LONG_TEXT = 120;
  var SHOWN = 96;

  function pad(n, width) { var s = String(n); while (s.length < width) s = '0' + s; return s; }

  /** Wall-clock time of a record as HH:MM:SS.mmm (local time). */
  function clock(record) {
    if (!record.time) return typeof record.t === 'number' ? (record.t / 1000).toFixed(3) + ' s' : '';
    var d = new Date(record.time);
    if (isNaN(d.getTime())) return String(record.time);
    return pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2) + '.' + pad(d.getMilliseconds(), 3);
  }


  // ---------------------------------------------------------------- how a record reads

  var CONTROL_NAMES = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

  /** Trace text is bytes as latin1: shown as UTF-8 when it is, control (and other) bytes escaped. */
  function printable(latin1) {
    var text = latin1;
    var unprintable = /[\x00-\x1f\x7f-\x9f]/g;
    if (/[\x80-\xff]/.test(latin1)) {
      var bytes = new Uint8Array(latin1.length);
      for (var i = 0; i < latin1.length; i++) bytes[i] = latin1.charCodeAt(i) & 0xff;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch (e) {
        unprintable = /[\x00-\x1f\x7f-\xff]/g; // not UTF-8: every high byte as \xNN
      }
    }
    return text.replace(unprintable, function (c) {
      return CONTROL_NAMES[c] || '\\x' + pad(c.charCodeAt(0).toString(16), 2);
    });
  }

  /** [shown text, size note or ''] — long texts cut, with their size in bytes. */
  function abbreviate(latin1) {
    var shown = printable(latin1);
    if (shown.length <= LONG_TEXT) return [shown, ''];
    return [shown.slice(0, SHOWN), ' … (' + latin1.length.toLocaleString('en-US') + ' bytes)'];
  }

  var ERROR_FINAL = /ERROR|FAIL/;

  /** One fault as a line: kind and its fields. */
  function describeFault(fault) {
    var parts = [fault.kind];
    Object.keys(fault).forEach(function (key) {
      if (key === 'kind' || key === 'id' || key === 'started' || key === 'hits') return;
      parts.push(key + '=' + (typeof fault[key] === 'string' ? fault[key] : JSON.stringify(fault[key])));
    });
    return parts.join(' ');
  }

  function compact(value) { return typeof value === 'string' ? value : JSON.stringify(value); }

  /** A change made through the API: what (AP, peer, host), how, and the rest as JSON. */
  function describeWorld(change) {
    if (!change || typeof change !== 'object') return compact(change);
    var ap = change.accessPoint;
    var subject = ap !== undefined ? 'AP ' + (ap && ap.ssid !== undefined ? ap.ssid : compact(ap))
      : change.peer !== undefined ? 'peer ' + change.peer
      : change.host !== undefined ? 'host ' + change.host
      : null;
    if (subject === null) return compact(change);
    var rest = {};
    Object.keys(change).forEach(function (key) {
      if (['accessPoint', 'peer', 'host', 'change'].indexOf(key) < 0) rest[key] = change[key];
    });
    var keys = Object.keys(rest);
    var details = keys.length === 1 && keys[0] === 'patch' ? rest.patch : rest;
    return subject + (change.change ? ' ' + change.change : '') + (keys.length ? ' ' + JSON.stringify(details) : '');
  }

  /**
   * How a record shows in a timeline: { cls, label, text, title? }, or null when it adds
   * nothing (echo; the raw bytes of a line that is shown as a command). "state" is the
   * timeline's: the host's bytes not yet known to be a command line.
   */
  function describe(record, state) {
    if (record.dir === 'in') {
      if (typeof record.command === 'string') {
        state.pending = '';
        return { cls: 'row-command', label: 'cmd', text: record.command };
      }
      if (record.dropped) return { cls: 'row-info', label: 'dropped', text: 'module off: ' + abbreviate(record.text || '').join('') };
      state.pending += record.text || '';
      return state.pending.length > 4096 ? flushSent(state) : null;
    }
    if (record.dir === 'out') {
      var line = typeof record.line === 'string' ? record.line : record.text || '';
      switch (record.kind) {
        case 'echo': return null;
        case 'final': return { cls: 'row-final' + (ERROR_FINAL.test(line) ? ' err' : ''), label: 'final', text: line };
        case 'urc': return { cls: 'row-urc', label: 'urc', text: line };
        case 'response': return { cls: 'row-response', label: 'resp', text: line };
        case 'prompt': return { cls: 'row-prompt', label: 'prompt', text: printable(record.text || '>') };
        case 'data': return { cls: 'row-data', label: 'data', text: record.text || '' };
        case 'boot': return { cls: 'row-boot', label: 'boot', text: line };
        default: return { cls: 'row-' + String(record.kind || 'out'), label: String(record.kind || 'out'), text: line };
      }
    }
    // dir: info (and anything newer this page does not know: shown as its fields)
    if (record.host) return { cls: 'row-info', label: 'host', text: record.host + (record.peer ? ' ' + record.peer : '') + (record.lost ? ' (' + record.lost + ' bytes lost)' : '') };
    if (record.power) return { cls: 'row-info', label: 'power', text: record.power };
    if (record.failure) {
      var f = record.failure;
      return {
        cls: 'row-failure', label: 'failure',
        text: (f.feature ? f.feature + ' ' : '') + (f.result !== undefined ? 'result ' + f.result : '') +
          (f.cause ? ' ← ' + f.cause : '') + (f.detail ? ': ' + f.detail : ''),
      };
    }
    if (record.faultStarted) return { cls: 'row-info', label: 'fault on', text: record.faultStarted.id + ' ' + describeFault(record.faultStarted) };
    if (record.faultStopped) return { cls: 'row-info', label: 'fault off', text: record.faultStopped.id + ' ' + describeFault(record.faultStopped) };
    if (record.fault) {
      var stack = String(record.fault);
      return { cls: 'row-fault', label: 'bug', text: stack.split('\n')[0], title: stack };
    }
    if (record.reject) return { cls: 'row-info', label: 'reject', text: record.reject + (record.reason ? ': ' + record.reason : '') };
    if (record.world) return { cls: 'row-info', label: 'world', text: describeWorld(record.world) };
    if ('webcfg' in record) return { cls: 'row-info', label: 'webcfg', text: record.webcfg || 'stopped' };
    if (record.webcfgError) return { cls: 'row-failure', label: 'webcfg', text: record.webcfgError };
    if (record.ota) return { cls: 'row-info', label: 'ota', text: compact(record.ota) };
    if (record.lost) return { cls: 'row-info', label: 'lost', text: record.lost + ' bytes: ' + (record.reason || '') };
    var rest = {};
    Object.keys(record).forEach(function (key) {
      if (['t', 'time', 'module', 'dir'].indexOf(key) < 0) rest[key] = record[key];
    });
    return { cls: 'row-info', label: 'info', text: JSON.stringify(rest) };
  }

  /** The host's bytes that were not a command line (data after '>', transparent mode): one row. */
  function flushSent(state) {
    var text = state.pending;
    state.pending = '';
    if (!/[^\r\n]/.test(text)) return null;
    return { cls: 'row-sent data', label: 'sent', text: text };
  }
`;
