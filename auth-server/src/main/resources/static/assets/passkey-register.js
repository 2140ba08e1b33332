// Adds a passkey (WebAuthn Level 3 §7.1, registration ceremony) on /account/passkeys and /mfa/passkey/register:
// the options from Spring Security's POST /webauthn/register/options, navigator.credentials.create, then
// POST /webauthn/register with {"publicKey": {"credential": ..., "label": ...}}, then a reload (the page lists the new
// passkey, or moves on to using it). Every POST carries the CSRF token from the layout's meta tags. Errors are shown
// as text in the form's role=alert element, in the page's language (the data-msg-* attributes); nothing is inserted
// as HTML.
(function () {
  "use strict";

  var form = document.querySelector(".passkey-register");
  var button = document.getElementById("add-passkey");
  var labelInput = document.getElementById("passkey-label");
  var alertBox = document.getElementById("passkey-error");
  if (!form || !button || !labelInput || !alertBox) {
    return;
  }

  function message(name) {
    return form.getAttribute("data-msg-" + name) || "";
  }

  function showError(text) {
    alertBox.textContent = text;
    alertBox.hidden = false;
    button.disabled = false;
  }

  function csrfHeaders() {
    var headers = { "Content-Type": "application/json" };
    var name = document.querySelector('meta[name="_csrf_header"]');
    var token = document.querySelector('meta[name="_csrf"]');
    if (name && token) {
      headers[name.getAttribute("content")] = token.getAttribute("content");
    }
    return headers;
  }

  function fromBase64url(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // Spring's options are JSON with base64url byte strings (challenge, user.id, excludeCredentials[].id).
  function creationOptions(options) {
    var publicKey = Object.assign({}, options);
    publicKey.challenge = fromBase64url(options.challenge);
    publicKey.user = Object.assign({}, options.user, { id: fromBase64url(options.user.id) });
    publicKey.excludeCredentials = (options.excludeCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: fromBase64url(c.id) });
    });
    return publicKey;
  }

  // Only a path on this origin: one "/" then not "/" or "\" (a "//host" or "/\host" is another origin), and the
  // resolved URL on this page's origin, as passkey-sign-in.js does.
  function sameOriginPath(value) {
    if (value.charAt(0) !== "/" || value.charAt(1) === "/" || value.charAt(1) === "\\") {
      return null;
    }
    try {
      var target = new URL(value, window.location.href);
      return target.origin === window.location.origin ? target.href : null;
    } catch (e) {
      return null;
    }
  }

  // Refusals of the server's guard carry {"error", "message", "confirm"?}: a stale sign-in is sent to confirm it.
  function refused(response) {
    return response.json().then(
      function (body) {
        var confirm = body && typeof body.confirm === "string" ? sameOriginPath(body.confirm) : null;
        if (confirm) {
          window.location.assign(confirm);
          return;
        }
        if (body && body.error === "label") {
          showError(message("label"));
          return;
        }
        showError(message("failed"));
      },
      function () {
        showError(message("failed"));
      }
    );
  }

  button.addEventListener("click", function () {
    alertBox.hidden = true;
    var label = labelInput.value.trim();
    if (label.length === 0 || label.length > 64) {
      showError(message("label"));
      labelInput.focus();
      return;
    }
    if (!window.PublicKeyCredential || !navigator.credentials) {
      showError(message("unsupported"));
      return;
    }
    button.disabled = true;
    fetch("/webauthn/register/options", { method: "POST", headers: csrfHeaders(), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          return refused(response);
        }
        return response.json().then(function (options) {
          return navigator.credentials.create({ publicKey: creationOptions(options) }).then(
            function (credential) {
              var r = credential.response;
              var body = {
                publicKey: {
                  credential: {
                    id: credential.id,
                    rawId: toBase64url(credential.rawId),
                    type: credential.type,
                    response: {
                      attestationObject: toBase64url(r.attestationObject),
                      clientDataJSON: toBase64url(r.clientDataJSON),
                      transports: typeof r.getTransports === "function" ? r.getTransports() : []
                    },
                    clientExtensionResults: credential.getClientExtensionResults(),
                    authenticatorAttachment: credential.authenticatorAttachment
                  },
                  label: label
                }
              };
              return fetch("/webauthn/register", {
                method: "POST",
                headers: csrfHeaders(),
                credentials: "same-origin",
                body: JSON.stringify(body)
              }).then(function (registered) {
                if (!registered.ok) {
                  return refused(registered);
                }
                window.location.reload();
              });
            },
            function () {
              // NotAllowedError (cancelled, timed out) or InvalidStateError (already registered): nothing was added.
              showError(message("cancelled"));
            }
          );
        });
      })
      .catch(function () {
        showError(message("failed"));
      });
  });
})();
