/**
 * dashboard.js, part 1: the page's token, the API calls (JSON with the Bearer token, the trace
 * as NDJSON) and the DOM helpers the other parts build with. A fragment of one function scope:
 * page-js.ts puts the parts together (plain browser JavaScript; no backtick or dollar-brace).
 */
export const SCRIPT_API = String.raw`
  var token = new URLSearchParams(location.search).get('token');

  // ---------------------------------------------------------------- the API

  /** Calls the API; resolves the JSON answer (null for 204), rejects with the API's message. */
  function api(method, path, body) {
    var headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        return res.text().then(function (text) {
          var json = null;
          try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
          if (!res.ok) {
            var err = new Error((json && json.error) || (res.status + ' ' + res.statusText));
            err.field = json && json.field;
            err.status = res.status;
            throw err;
          }
          return json;
        });
      });
  }

  /** The trace so far, one record per line (application/x-ndjson). */
  function fetchTrace(query) {
    var headers = token ? { Authorization: 'Bearer ' + token } : {};
    return fetch('/api/trace' + query, { headers: headers }).then(function (res) {
      if (!res.ok) throw new Error('trace: ' + res.status);
      return res.text();
    }).then(function (text) {
      var records = [];
      text.split('\n').forEach(function (line) {
        if (!line) return;
        try { records.push(JSON.parse(line)); } catch (e) { /* a torn line: skip it */ }
      });
      return records;
    });
  }

  // ---------------------------------------------------------------- DOM helpers

  /** A new element: attributes (data-testid, class, …), then children (strings become text). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function $(id) { return document.getElementById(id); }

  var errorTimer = null;
  /** Shows why an action failed, for a while. */
  function showError(message) {
    var p = $('page-error');
    p.textContent = message;
    p.hidden = false;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(function () { p.hidden = true; }, 8000);
  }
`;
