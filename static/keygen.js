// Key pairs and signed JWTs with Web Crypto, for SMART Backend Services and
// confidential asymmetric clients: the private key never leaves the browser
// tab, which is the point of showing people how to do it themselves.
(function (global) {
  "use strict";
  var b64url = function (x) { return global.SandboxLaunch.b64url(x); };

  var PARAMS = {
    RS384: {
      gen: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-384" },
      sign: { name: "RSASSA-PKCS1-v1_5" }
    },
    ES384: {
      gen: { name: "ECDSA", namedCurve: "P-384" },
      sign: { name: "ECDSA", hash: "SHA-384" }
    }
  };

  function pem(label, buf) {
    var b64 = btoa(String.fromCharCode.apply(null, new Uint8Array(buf)));
    return "-----BEGIN " + label + "-----\n" + b64.replace(/.{1,64}/g, "$&\n") + "-----END " + label + "-----\n";
  }

  /** RFC 7638 thumbprint: SHA-256 over the required members in order. */
  function thumbprint(jwk) {
    var members = jwk.kty === "EC"
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { e: jwk.e, kty: jwk.kty, n: jwk.n };
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(members))).then(b64url);
  }

  function generate(alg) {
    if (!global.crypto || !crypto.subtle) {
      return Promise.reject(new Error("Web Crypto is only available on https:// or localhost pages."));
    }
    var p = PARAMS[alg];
    var pair;
    return crypto.subtle.generateKey(p.gen, true, ["sign", "verify"])
      .then(function (k) {
        pair = k;
        return Promise.all([
          crypto.subtle.exportKey("jwk", k.publicKey),
          crypto.subtle.exportKey("jwk", k.privateKey),
          crypto.subtle.exportKey("pkcs8", k.privateKey)
        ]);
      })
      .then(function (keys) {
        var pub = keys[0], priv = keys[1];
        return thumbprint(pub).then(function (kid) {
          var publicJwk = pub.kty === "EC"
            ? { kty: "EC", crv: pub.crv, x: pub.x, y: pub.y }
            : { kty: "RSA", n: pub.n, e: pub.e };
          publicJwk.alg = alg;
          publicJwk.use = "sig";
          publicJwk.kid = kid;
          publicJwk.key_ops = ["verify"];
          priv.alg = alg;
          priv.kid = kid;
          priv.key_ops = ["sign"];
          return {
            alg: alg,
            kid: kid,
            jwks: JSON.stringify({ keys: [publicJwk] }),
            privateJwk: priv,
            pem: pem("PRIVATE KEY", keys[2]),
            privateKey: pair.privateKey
          };
        });
      });
  }

  /** A compact JWS (ES384 signatures from Web Crypto are already r||s). */
  function sign(key, header, claims) {
    var input = b64url(JSON.stringify(header)) + "." + b64url(JSON.stringify(claims));
    return crypto.subtle.sign(PARAMS[header.alg].sign, key.privateKey, new TextEncoder().encode(input))
      .then(function (sig) { return input + "." + b64url(sig); });
  }

  global.SandboxKeys = { generate: generate, sign: sign };

  // Wires any [data-keygen] block on the page.
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-keygen]"), function (box) {
      var q = function (sel) { return box.querySelector(sel); };
      var status = q("[data-keygen-status]");
      var last = null;
      q("[data-keygen-run]").addEventListener("click", function () {
        var alg = q("select").value;
        status.textContent = "Generating an " + alg + " key pair…";
        generate(alg).then(function (key) {
          last = key;
          global.SandboxKeys.last = key;
          q("[data-keygen-public]").value = JSON.stringify(JSON.parse(key.jwks), null, 2);
          q("[data-keygen-private]").value = key.pem + "\n" + JSON.stringify(key.privateJwk, null, 2);
          q("[data-keygen-out]").hidden = false;
          var use = q("[data-keygen-use]");
          if (use) use.hidden = false;
          status.textContent = "Generated a key pair, kid " + key.kid + ".";
          box.dispatchEvent(new CustomEvent("sandbox-keygen-made", { bubbles: true, detail: key }));
        }, function (e) {
          status.textContent = "Could not generate a key: " + e.message;
        });
      });
      var use = q("[data-keygen-use]");
      if (use) {
        use.addEventListener("click", function () {
          if (!last) return;
          document.dispatchEvent(new CustomEvent("sandbox-keygen", { detail: last }));
          status.textContent = "The public JWKS is now part of the launch (client registration).";
        });
      }
    });
  });
})(window);
