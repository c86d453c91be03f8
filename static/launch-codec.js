// Launch values in the browser, written exactly as src/launch/codec
// `encode` writes them: the 17-slot launcher v2 array (19 slots when
// `intent` or `tenant` is set), compact JSON,
// base64url without padding. A Rust browser test compares the two, so a
// URL built on the page is byte-equal to one built by the server or CLI.
(function (global) {
  "use strict";

  /** base64url (no padding) of a string's UTF-8 bytes or of an ArrayBuffer. */
  function b64url(input) {
    var bytes = typeof input === "string" ? new TextEncoder().encode(input) : new Uint8Array(input);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /** Inverse of b64url, to text (used to show token claims). */
  function b64urlDecodeText(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  }

  function str(v) { return v == null ? "" : String(v); }
  function flag(v) { return v ? 1 : 0; }
  function int(v, dflt) {
    var n = parseInt(v, 10);
    return isNaN(n) ? dflt : n;
  }

  /** The v2 array for options named as the LaunchOptions fields. */
  function slots(o) {
    return [
      int(o.launch_type, 0),
      str(o.patient),
      str(o.provider),
      str(o.encounter),
      flag(o.skip_login),
      flag(o.skip_auth),
      flag(o.sim_ehr),
      str(o.scope),
      str(o.redirect_uris),
      str(o.client_id),
      str(o.client_secret),
      str(o.auth_error),
      str(o.jwks_url),
      str(o.jwks),
      int(o.client_type, 0),
      int(o.pkce, 1),
      str(o.fhir_context)
    ].concat(str(o.intent) || str(o.tenant) ? [str(o.intent), str(o.tenant)] : []);
  }

  function encode(o) {
    return b64url(JSON.stringify(slots(o)));
  }

  global.SandboxLaunch = { encode: encode, slots: slots, b64url: b64url, b64urlDecodeText: b64urlDecodeText };
})(window);
