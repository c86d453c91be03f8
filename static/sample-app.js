// The sample SMART app: a real EHR or standalone launch with PKCE S256,
// written without libraries so every protocol step is readable here.
// `/sample-app/launch` starts the launch; `/sample-app/` is the redirect_uri.
(function () {
  "use strict";
  var root = document.getElementById("sample-app");
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var codec = window.SandboxLaunch;
  var SESSION = "sample-app:session";
  var CLIENT_ID = "sample-app";

  function status(text) { $("app-status").textContent = text; }
  function fail(text) {
    var el = $("app-error");
    el.textContent = text;
    el.hidden = false;
    status("");
  }

  function randomString(bytes) {
    var a = new Uint8Array(bytes);
    crypto.getRandomValues(a);
    return codec.b64url(a.buffer);
  }

  function fetchJson(url, init) {
    return fetch(url, init).then(function (r) {
      return r.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
        return { status: r.status, ok: r.ok, body: body };
      });
    });
  }

  // ---- Starting a launch (SMART App Launch 2.2, "EHR launch" / "standalone")
  function startLaunch(iss, launch) {
    if (!window.crypto || !crypto.subtle) {
      fail("Web Crypto is not available: open the sandbox on https:// or localhost.");
      return;
    }
    var params = new URLSearchParams(location.search);
    var clientId = params.get("client_id") || CLIENT_ID;
    status("Reading " + iss + "/.well-known/smart-configuration …");
    fetchJson(iss.replace(/\/$/, "") + "/.well-known/smart-configuration").then(function (res) {
      if (!res.ok || !res.body || !res.body.authorization_endpoint) {
        throw new Error("discovery failed (" + res.status + "): " + JSON.stringify(res.body));
      }
      var conf = res.body;
      var verifier = randomString(32);
      var state = randomString(16);
      return crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)).then(function (hash) {
        var redirectUri = location.origin + "/sample-app/";
        var scope = "openid fhirUser offline_access patient/*.read " + (launch ? "launch" : "launch/patient");
        sessionStorage.setItem("sample-app:" + state, JSON.stringify({
          iss: iss, tokenUrl: conf.token_endpoint, verifier: verifier,
          redirectUri: redirectUri, clientId: clientId
        }));
        var url = new URL(conf.authorization_endpoint);
        var q = {
          response_type: "code", client_id: clientId, redirect_uri: redirectUri, scope: scope,
          state: state, aud: iss, code_challenge: codec.b64url(hash), code_challenge_method: "S256"
        };
        if (launch) q.launch = launch;
        Object.keys(q).forEach(function (k) { url.searchParams.set(k, q[k]); });
        status("Redirecting to the authorization server …");
        location.assign(url.toString());
      });
    }).catch(function (e) { fail("Could not start the launch: " + e.message); });
  }

  // ---- Back from authorize: exchange the code (RFC 6749 §4.1.3, RFC 7636)
  function finishLaunch(params) {
    var state = params.get("state") || "";
    var saved = JSON.parse(sessionStorage.getItem("sample-app:" + state) || "null");
    if (!saved) {
      fail("Unknown state: this redirect does not belong to a launch started in this tab.");
      return;
    }
    sessionStorage.removeItem("sample-app:" + state);
    history.replaceState(null, "", location.pathname);
    status("Exchanging the authorization code …");
    var body = new URLSearchParams({
      grant_type: "authorization_code", code: params.get("code"), redirect_uri: saved.redirectUri,
      client_id: saved.clientId, code_verifier: saved.verifier
    });
    fetchJson(saved.tokenUrl, { method: "POST", body: body }).then(function (res) {
      if (!res.ok) throw new Error("token endpoint answered " + res.status + ": " + JSON.stringify(res.body));
      var session = { iss: saved.iss, tokenUrl: saved.tokenUrl, clientId: saved.clientId, token: res.body };
      sessionStorage.setItem(SESSION, JSON.stringify(session));
      show(session);
    }).catch(function (e) { fail("The code exchange failed: " + e.message); });
  }

  function claims(jwt) {
    if (!jwt || jwt.split(".").length !== 3) return "(not a JWT)";
    try {
      return JSON.stringify(JSON.parse(codec.b64urlDecodeText(jwt.split(".")[1])), null, 2);
    } catch (e) {
      return "(could not decode: " + e.message + ")";
    }
  }

  function showToken(token) {
    $("token-response").textContent = JSON.stringify(token, null, 2);
    $("id-token-claims").textContent = token.id_token ? claims(token.id_token) : "(no id_token: the app did not get openid)";
    $("access-token-claims").textContent = claims(token.access_token);
  }

  function age(birthDate) {
    var b = new Date(birthDate);
    if (isNaN(b)) return "";
    var now = new Date();
    var years = now.getFullYear() - b.getFullYear();
    if (now.getMonth() < b.getMonth() || (now.getMonth() === b.getMonth() && now.getDate() < b.getDate())) years -= 1;
    return years + (years === 1 ? " year" : " years");
  }

  function humanName(p) {
    var n = (p.name || [])[0];
    if (!n) return "(no name)";
    if (n.text) return n.text;
    return [].concat(n.prefix || [], n.given || [], n.family || []).join(" ");
  }

  function fhirGet(session, path) {
    return fetchJson(session.iss.replace(/\/$/, "") + "/" + path, {
      headers: { Accept: "application/fhir+json", Authorization: "Bearer " + session.token.access_token }
    });
  }

  function fhirProblem(res, what) {
    if (res.status === 404) {
      return what + ": the FHIR API answered 404. This sandbox build has no FHIR data routes yet, so only the launch context (the patient id above) is shown.";
    }
    return what + ": the FHIR API answered " + res.status + (res.body ? " " + JSON.stringify(res.body).slice(0, 300) : "");
  }

  function showPatient(session) {
    var t = session.token;
    $("patient-id").textContent = t.patient || "(none)";
    $("encounter-id").textContent = t.encounter || "(none)";
    $("banner-note").textContent = t.need_patient_banner === false
      ? "need_patient_banner is false: the EHR around this app shows the patient banner."
      : "need_patient_banner is true: this app shows who the patient is.";
    var nameEl = $("patient-name");
    var obs = $("observations");
    if (!t.patient) {
      nameEl.textContent = "No patient in context";
      obs.textContent = "No patient in context.";
      return;
    }
    fhirGet(session, "Patient/" + encodeURIComponent(t.patient)).then(function (res) {
      if (!res.ok) { nameEl.textContent = fhirProblem(res, "Patient"); return; }
      nameEl.textContent = humanName(res.body);
      nameEl.className = "patient-name";
      $("patient-demo").textContent = [res.body.gender || "", res.body.birthDate ? age(res.body.birthDate) + " (born " + res.body.birthDate + ")" : ""].filter(Boolean).join(", ");
    }).catch(function (e) { nameEl.textContent = "Patient: " + e.message; });
    fhirGet(session, "Observation?patient=" + encodeURIComponent(t.patient) + "&_sort=-date&_count=5").then(function (res) {
      if (!res.ok) { obs.textContent = fhirProblem(res, "Observations"); return; }
      var entries = (res.body.entry || []).map(function (e) { return e.resource; });
      if (!entries.length) { obs.textContent = "No observations."; return; }
      var ul = document.createElement("ul");
      ul.className = "observations";
      entries.forEach(function (o) {
        var li = document.createElement("li");
        var code = (o.code && (o.code.text || (o.code.coding && o.code.coding[0] && o.code.coding[0].display))) || "Observation";
        var q = o.valueQuantity;
        var value = q ? q.value + " " + (q.unit || q.code || "") : o.valueString || (o.valueCodeableConcept && o.valueCodeableConcept.text) || "";
        li.textContent = code + (value ? ": " + value : "") + (o.effectiveDateTime ? " (" + o.effectiveDateTime.slice(0, 10) + ")" : "");
        ul.appendChild(li);
      });
      obs.textContent = "";
      obs.className = "";
      obs.appendChild(ul);
    }).catch(function (e) { obs.textContent = "Observations: " + e.message; });
  }

  function show(session) {
    $("app-title").textContent = "Launched";
    $("app-session").hidden = false;
    status("Signed in. The token response and the patient are below.");
    showToken(session.token);
    showPatient(session);
  }

  // ---- Refresh (RFC 6749 §6)
  function refresh() {
    var session = JSON.parse(sessionStorage.getItem(SESSION) || "null");
    var out = $("refresh-status");
    if (!session || !session.token.refresh_token) {
      out.textContent = "No refresh token: the app needs offline_access or online_access.";
      return;
    }
    out.textContent = "Refreshing …";
    var body = new URLSearchParams({
      grant_type: "refresh_token", refresh_token: session.token.refresh_token, client_id: session.clientId
    });
    fetchJson(session.tokenUrl, { method: "POST", body: body }).then(function (res) {
      if (!res.ok) throw new Error(res.status + ": " + JSON.stringify(res.body));
      var old = session.token;
      session.token = Object.assign({}, old, res.body);
      sessionStorage.setItem(SESSION, JSON.stringify(session));
      showToken(session.token);
      out.textContent = "Refreshed at " + new Date().toLocaleTimeString() + ": " +
        (res.body.access_token !== old.access_token ? "new access token." : "same access token.");
      out.setAttribute("data-refreshed", "1");
    }).catch(function (e) { out.textContent = "Refresh failed: " + e.message; });
  }

  var params = new URLSearchParams(location.search);
  if (root.getAttribute("data-mode") === "launch") {
    var iss = params.get("iss");
    if (iss) {
      startLaunch(iss, params.get("launch"));
    } else {
      $("app-title").textContent = "Sample app";
      var f = $("standalone-form");
      f.hidden = false;
      f.addEventListener("submit", function (ev) {
        ev.preventDefault();
        startLaunch($("standalone-iss").value.trim(), null);
      });
    }
  } else {
    $("refresh-button").addEventListener("click", refresh);
    if (params.get("error")) {
      history.replaceState(null, "", location.pathname);
      $("app-title").textContent = "Launch refused";
      fail("The authorization server answered error=" + params.get("error") +
        (params.get("error_description") ? ": " + params.get("error_description") : ""));
      $("app-error").setAttribute("data-error", params.get("error"));
    } else if (params.get("code")) {
      finishLaunch(params);
    } else {
      var session = JSON.parse(sessionStorage.getItem(SESSION) || "null");
      if (session) show(session);
      else status("Not launched yet. Start from the launcher or /sample-app/launch.");
    }
  }
})();
