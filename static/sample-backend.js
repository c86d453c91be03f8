// Backend services walk-through: registers a generated key through the
// launch value, signs an RFC 7523 client assertion and asks for a token
// (SMART Backend Services, "Obtaining an access token").
(function () {
  "use strict";
  var root = document.getElementById("sample-backend");
  if (!root) return;
  var base = root.getAttribute("data-base-url");
  var $ = function (id) { return document.getElementById(id); };
  var key = null;

  function tokenUrl() {
    if (!key) return "";
    var value = window.SandboxLaunch.encode({
      launch_type: 4, client_type: 3, client_id: $("bk-client-id").value.trim(), jwks: key.jwks, pkce: 1
    });
    return base + "/v/" + $("bk-release").value + "/sim/" + value + "/auth/token";
  }

  function update() {
    if (key) $("bk-token-url").textContent = tokenUrl();
  }

  document.addEventListener("sandbox-keygen-made", function (ev) {
    key = ev.detail;
    $("bk-run").disabled = false;
    update();
  });
  ["bk-client-id", "bk-release"].forEach(function (id) { $(id).addEventListener("input", update); $(id).addEventListener("change", update); });

  $("bk-run").addEventListener("click", function () {
    var url = tokenUrl();
    var clientId = $("bk-client-id").value.trim();
    var now = Math.floor(Date.now() / 1000);
    var jti = window.SandboxLaunch.b64url(crypto.getRandomValues(new Uint8Array(16)).buffer);
    var claims = { iss: clientId, sub: clientId, aud: url, exp: now + 300, jti: jti };
    $("bk-claims").textContent = JSON.stringify(claims, null, 2);
    window.SandboxKeys.sign(key, { alg: key.alg, kid: key.kid, typ: "JWT" }, claims).then(function (jwt) {
      var body = new URLSearchParams({
        grant_type: "client_credentials", scope: $("bk-scope").value.trim(),
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: jwt
      });
      return fetch(url, { method: "POST", body: body }).then(function (r) {
        return r.text().then(function (t) { $("bk-response").textContent = "HTTP " + r.status + "\n" + t; });
      });
    }).catch(function (e) { $("bk-response").textContent = "Failed: " + e.message; });
  });
})();
