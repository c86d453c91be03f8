// The launcher page: keeps the outputs (launch URL, iss, discovery URL,
// launch value) and the page's own address in step with the form, so a
// configuration can be bookmarked and shared. Encoding is launch-codec.js.
(function () {
  "use strict";
  var root = document.querySelector(".launcher");
  var form = document.getElementById("launcher-form");
  if (!root || !form) return;
  var base = root.getAttribute("data-base-url");
  var $ = function (id) { return document.getElementById(id); };
  var encounters = {};
  try { encounters = JSON.parse($("encounters-data").textContent) || {}; } catch (e) { encounters = {}; }

  var TEXT_FIELDS = ["launch_uri", "fhir_context", "intent", "tenant", "client_id", "client_secret",
    "redirect_uris", "scope", "jwks_url", "jwks"];
  var SELECTS = { launch_type: "0", fhir_ver: "r4", client_type: "0", pkce: "1", auth_error: "", encounter: "AUTO" };
  var FLAGS = ["skip_login", "skip_auth", "sim_ehr"];
  var DEFAULT_LAUNCH_URI = $("launch_uri").value;

  function checked(name) {
    return Array.prototype.slice
      .call(form.querySelectorAll('input[name="' + name + '"]:checked'))
      .map(function (i) { return i.value; });
  }

  function options() {
    var o = {};
    TEXT_FIELDS.forEach(function (n) { o[n] = $(n).value.trim(); });
    Object.keys(SELECTS).forEach(function (n) { o[n] = $(n).value; });
    FLAGS.forEach(function (n) { o[n] = $(n).checked; });
    o.patient = checked("patient").join(",");
    o.provider = checked("provider").join(",");
    var lt = parseInt(o.launch_type, 10);
    // The frame only exists for EHR launches; a stale tick must not leak
    // into a standalone value.
    if (lt > 1) o.sim_ehr = false;
    if (lt === 4) { o.patient = ""; o.provider = ""; o.encounter = ""; }
    return o;
  }

  /** `url` with iss and launch set, other parameters kept. */
  function withParams(url, params) {
    try {
      var u = new URL(url);
      Object.keys(params).forEach(function (k) { u.searchParams.set(k, params[k]); });
      return u.toString();
    } catch (e) {
      return "";
    }
  }

  function refreshEncounters() {
    var select = $("encounter");
    var current = select.value;
    var pats = checked("patient");
    while (select.options.length > 3) select.remove(3);
    var list = pats.length === 1 ? encounters[pats[0]] || [] : [];
    list.forEach(function (e) {
      var opt = document.createElement("option");
      opt.value = e.id;
      opt.textContent = e.label;
      select.appendChild(opt);
    });
    select.value = current;
    if (select.value !== current) select.value = "AUTO";
  }

  function show(lt, clientType) {
    var kinds = {
      app: lt !== 4,
      user: lt !== 4,
      ehr: lt <= 1,
      standalone: lt === 2 || lt === 3,
      backend: lt === 4,
      provider: lt === 0 || lt === 2,
      secret: clientType === 1,
      asym: clientType >= 2 || lt === 4
    };
    Array.prototype.forEach.call(document.querySelectorAll("[data-show]"), function (el) {
      el.hidden = !kinds[el.getAttribute("data-show")];
    });
  }

  function saveState(o) {
    var q = new URLSearchParams();
    TEXT_FIELDS.forEach(function (n) {
      if (o[n] && !(n === "launch_uri" && o[n] === DEFAULT_LAUNCH_URI)) q.set(n, o[n]);
    });
    Object.keys(SELECTS).forEach(function (n) { if (o[n] !== SELECTS[n]) q.set(n, o[n]); });
    FLAGS.forEach(function (n) { if (o[n]) q.set(n, "1"); });
    if (o.patient) q.set("patient", o.patient);
    if (o.provider) q.set("provider", o.provider);
    var qs = q.toString();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : ""));
  }

  function loadState() {
    var q = new URLSearchParams(location.search);
    TEXT_FIELDS.forEach(function (n) { if (q.has(n)) $(n).value = q.get(n); });
    FLAGS.forEach(function (n) { $(n).checked = q.get(n) === "1"; });
    ["patient", "provider"].forEach(function (n) {
      var ids = (q.get(n) || "").split(",").filter(Boolean);
      Array.prototype.forEach.call(form.querySelectorAll('input[name="' + n + '"]'), function (i) {
        i.checked = ids.indexOf(i.value) !== -1;
      });
    });
    refreshEncounters();
    Object.keys(SELECTS).forEach(function (n) {
      if (!q.has(n)) return;
      var select = $(n);
      var v = q.get(n);
      if (n === "encounter" && !Array.prototype.some.call(select.options, function (o) { return o.value === v; })) {
        // An encounter id from elsewhere (e.g. an external data set) stays usable.
        var opt = document.createElement("option");
        opt.value = v;
        opt.textContent = v;
        select.appendChild(opt);
      }
      select.value = v;
    });
  }

  function update() {
    var o = options();
    var lt = parseInt(o.launch_type, 10);
    show(lt, parseInt(o.client_type, 10));
    var value = window.SandboxLaunch.encode(o);
    var plainBase = base + "/v/" + o.fhir_ver + "/fhir";
    var simBase = base + "/v/" + o.fhir_ver + "/sim/" + value + "/fhir";
    var launchUrl = withParams(o.launch_uri, { iss: plainBase, launch: value });
    $("out-launch").value = value;
    $("out-launch-url").value = launchUrl;
    $("out-iss").value = simBase;
    var fhirBase = lt <= 1 ? plainBase : simBase;
    $("out-discovery").value = fhirBase + "/.well-known/smart-configuration";
    $("out-token-url").textContent = base + "/v/" + o.fhir_ver + "/sim/" + value + "/auth/token";
    $("out-client-id").textContent = o.client_id || "(any client_id)";
    $("out-fhir-base").textContent = simBase;

    // The sample app takes a pinned client_id from its launch URL, so a
    // registration typed here can be tried with it right away.
    var extra = o.client_id && o.launch_uri === DEFAULT_LAUNCH_URI ? { client_id: o.client_id } : {};
    var href = "";
    if (lt <= 1) {
      var appUrl = launchUrl && withParams(launchUrl, extra);
      href = o.sim_ehr && appUrl ? "/ehr?app=" + encodeURIComponent(appUrl) : appUrl;
    } else if (lt <= 3) {
      extra.iss = simBase;
      href = withParams(o.launch_uri, extra);
    }
    var button = $("launch-button");
    if (href) {
      button.href = href;
      button.removeAttribute("aria-disabled");
    } else {
      button.removeAttribute("href");
      button.setAttribute("aria-disabled", "true");
    }
    var pats = o.patient ? o.patient.split(",").length : 0;
    $("out-summary").textContent = $("launch_type").selectedOptions[0].textContent +
      (lt === 4 ? "" : pats === 0 ? ", patient chosen during the launch" :
        pats === 1 ? ", patient pinned" : ", " + pats + " patients to choose from") +
      (launchUrl || lt === 4 ? "." : ". Enter a valid app launch URL.");
    saveState(o);
  }

  // Searchable pickers: hide rows that do not match every typed word.
  Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), function (picker) {
    var kind = picker.getAttribute("data-picker");
    var input = picker.querySelector(".picker__filter");
    var rows = Array.prototype.slice.call(picker.querySelectorAll("[data-search]"));
    var status = $(kind + "-count");
    input.addEventListener("input", function () {
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.getAttribute("data-search");
        var match = terms.every(function (t) { return text.indexOf(t) !== -1; });
        row.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = terms.length ? shown + " of " + rows.length + " shown" : "";
    });
    input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") ev.preventDefault(); });
  });

  form.addEventListener("input", function (ev) {
    if (ev.target && ev.target.name === "patient") refreshEncounters();
    update();
  });
  form.addEventListener("change", update);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });

  // Copy buttons; the status line tells screen-reader users it worked.
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (btn) {
    btn.addEventListener("click", function () {
      var field = $(btn.getAttribute("data-copy"));
      var done = function () { $("copy-status").textContent = "Copied " + field.labels[0].textContent; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { fallback(field); done(); });
      } else {
        fallback(field);
        done();
      }
    });
  });
  function fallback(field) {
    field.select();
    try { document.execCommand("copy"); } catch (e) { /* the text stays selected */ }
  }

  // Decode box: the server explains a value in plain words (/api/decode).
  var decodeForm = $("decode-form");
  decodeForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = $("decode-input").value.trim();
    var out = $("decode-result");
    if (!input) { out.textContent = ""; return; }
    fetch("/api/decode?input=" + encodeURIComponent(input))
      .then(function (r) { return r.json(); })
      .then(function (body) {
        out.textContent = "";
        if (!body.ok) {
          var p = document.createElement("p");
          p.className = "alert alert--error";
          p.setAttribute("role", "alert");
          p.textContent = body.error;
          out.appendChild(p);
          return;
        }
        var ul = document.createElement("ul");
        ul.className = "decoded";
        body.lines.forEach(function (line) {
          var li = document.createElement("li");
          li.textContent = line;
          ul.appendChild(li);
        });
        out.appendChild(ul);
        var details = document.createElement("details");
        var summary = document.createElement("summary");
        summary.textContent = "All options";
        var pre = document.createElement("pre");
        pre.className = "detail";
        pre.textContent = JSON.stringify(body.options, null, 2);
        details.appendChild(summary);
        details.appendChild(pre);
        out.appendChild(details);
      })
      .catch(function (e) { out.textContent = "Could not decode: " + e; });
  });

  // "Register this public key": the generated JWKS becomes the launch's.
  document.addEventListener("sandbox-keygen", function (ev) {
    $("jwks").value = ev.detail.jwks;
    if (parseInt($("client_type").value, 10) < 2) $("client_type").value = "3";
    update();
  });

  loadState();
  update();
  window.SmartSandboxLauncher = { options: options, update: update };
})();
