/**
 * dashboard.js, part 5: the faults panel, a form per kind of the catalogue (docs/control.md
 * "Faults") and the active faults with their stop buttons.
 */
export const SCRIPT_FAULTS = String.raw`
  // ---------------------------------------------------------------- faults

  /** The catalogue (docs/control.md "Faults"): each kind's fields as [name, input, required, extra]. */
  var HOST = ['host', 'text', true];
  var HOST_OPTIONAL = ['host', 'text', false];
  var PORT = ['port', 'number', false, { min: 1, max: 65535 }];
  var RATE = ['rate', 'number', true, { min: 0, max: 1, step: 0.01 }];
  var FAULT_KINDS = [
    ['dns-failure', [HOST]],
    ['refuse', [HOST, PORT]],
    ['blackhole', [HOST, PORT]],
    ['reset-connections', [HOST, PORT]],
    ['latency', [HOST_OPTIONAL, PORT, ['delayMs', 'number', true, { min: 0, max: 60000 }], ['bandwidth', 'number', false, { min: 1, placeholder: 'bytes/s' }]]],
    ['udp-loss', [HOST_OPTIONAL, RATE]],
    ['tls-untrusted', [HOST, PORT]],
    ['dhcp-failure', [['ssid', 'text', true]]],
    ['uart-noise', [RATE, ['mode', ['both', 'drop', 'flip'], true], ['direction', ['both', 'to-module', 'to-host'], true]]],
  ];
  var moduleSelects = [];

  function faultForm(kind, fields) {
    var inputs = {};
    var form = el('form', { class: 'fault-form', 'data-testid': 'fault-form-' + kind }, [el('span', { class: 'kind', text: kind })]);
    fields.concat([['module', 'module', false]]).forEach(function (field) {
      var name = field[0];
      var testid = 'fault-' + kind + '-' + name;
      var input;
      if (field[1] === 'module') {
        input = el('select', { 'data-testid': testid }, [el('option', { value: '', text: 'all modules' })]);
        moduleSelects.push(input);
      } else if (Array.isArray(field[1])) {
        input = el('select', { 'data-testid': testid }, field[1].map(function (v) { return el('option', { value: v, text: v }); }));
      } else {
        var extra = field[3] || {};
        input = el('input', {
          type: field[1], name: name, required: field[2], 'data-testid': testid,
          min: extra.min, max: extra.max, step: extra.step || (field[1] === 'number' ? 'any' : undefined),
          placeholder: extra.placeholder || (field[2] ? '' : 'optional'),
        });
      }
      inputs[name] = input;
      form.appendChild(el('label', {}, [name, input]));
    });
    var error = el('span', { class: 'form-error', 'data-testid': 'fault-error-' + kind });
    form.appendChild(el('button', { type: 'submit', 'data-testid': 'fault-start-' + kind, text: 'start' }));
    form.appendChild(error);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var spec = { kind: kind };
      Object.keys(inputs).forEach(function (name) {
        var input = inputs[name];
        input.classList.remove('invalid');
        if (input.value === '') return;
        spec[name] = input.type === 'number' || name === 'module' ? Number(input.value) : input.value;
      });
      error.textContent = '';
      api('POST', '/api/faults', spec).then(refreshFaults, function (e) {
        error.textContent = e.message;
        if (e.field && inputs[e.field]) inputs[e.field].classList.add('invalid');
      });
    });
    return form;
  }

  function fillModuleSelects(list) {
    moduleSelects.forEach(function (select) {
      var chosen = select.value;
      while (select.options.length > 1) select.remove(1);
      list.forEach(function (m) { select.appendChild(el('option', { value: m.index, text: m.label })); });
      select.value = chosen;
    });
  }

  function showFaults(faults) {
    var box = $('faults-active');
    box.textContent = '';
    faults.forEach(function (fault) {
      var stop = el('button', { type: 'button', 'data-testid': 'fault-stop-' + fault.id, text: 'stop' });
      stop.addEventListener('click', function () {
        stop.disabled = true;
        api('DELETE', '/api/faults/' + encodeURIComponent(fault.id)).then(refreshFaults, function (e) {
          showError('stop ' + fault.id + ': ' + e.message);
          refreshFaults();
        });
      });
      box.appendChild(el('div', { class: 'fault', 'data-testid': 'fault-' + fault.id }, [
        el('b', { text: fault.id }),
        el('span', { class: 'what', text: describeFault(fault) }),
        el('span', { class: 'muted', text: (fault.hits || 0) + ' hits' }),
        stop,
      ]));
    });
    $('faults-none').hidden = faults.length > 0;
  }

  function refreshFaults() {
    return api('GET', '/api/faults').then(function (faults) { showFaults(faults || []); }, function () { /* shown by the others */ });
  }
`;
