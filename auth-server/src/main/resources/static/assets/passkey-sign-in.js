/*
 * Passkey sign-in (issue #16), on the sign-in page (#passkey-sign-in, and the browser's passkey autofill on the
 * username field), on the passkey step after a password (#use-passkey, /mfa/passkey) and on the account's
 * confirmation (#use-passkey with data-next, /account/confirm).
 *
 * One ceremony (WebAuthn Level 3 §5.1.4, navigator.credentials.get):
 *   1. POST /webauthn/authenticate/options (the CSRF header from the layout's <meta> tags): the server's request
 *      options, its challenge kept in the session for one use;
 *   2. navigator.credentials.get({publicKey}) — on the sign-in page first with mediation "conditional" (the passkeys
 *      appear in the username field's autofill), once PublicKeyCredential.isConditionalMediationAvailable() says so;
 *   3. POST /login/webauthn with the credential as JSON (PublicKeyCredential.toJSON() where the browser has it, else
 *      the same shape with base64url by hand);
 *   4. go to the returned redirectUrl, only when it is on this origin.
 * Errors show the page's role=alert element; a cancelled dialog or an aborted autofill shows nothing.
 * Served from the server itself (CSP script-src 'self'); no inline script anywhere.
 */
(function () {
  "use strict";

  var OPTIONS_URL = "/webauthn/authenticate/options";
  var SIGN_IN_URL = "/login/webauthn";

  var button = document.getElementById("passkey-sign-in") || document.getElementById("use-passkey");
  var errorBox = document.getElementById("passkey-error");
  var unsupported = document.getElementById("passkey-unsupported");
  if (!button) {
    return;
  }
  var conditionalStep = button.getAttribute("data-passkey-step") === "sign-in";
  var pendingAutofill = null;

  if (!window.PublicKeyCredential || !navigator.credentials || typeof navigator.credentials.get !== "function"
      || typeof window.fetch !== "function") {
    if (unsupported) {
      unsupported.hidden = false;
    }
    return;
  }

  function meta(name) {
    var element = document.querySelector('meta[name="' + name + '"]');
    return element ? element.getAttribute("content") : null;
  }

  function jsonHeaders() {
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    var header = meta("_csrf_header");
    var token = meta("_csrf");
    if (header && token) {
      headers[header] = token;
    }
    return headers;
  }

  function showError() {
    if (errorBox) {
      errorBox.hidden = false;
    }
  }

  function hideError() {
    if (errorBox) {
      errorBox.hidden = true;
    }
  }

  function base64urlToBuffer(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4 !== 0) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function bufferToBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  /* The server's JSON options (WebAuthn Level 3 §5.1.4.1's JSON form) as the browser's request options. */
  function requestOptions(json) {
    if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    var options = Object.assign({}, json);
    options.challenge = base64urlToBuffer(json.challenge);
    if (json.allowCredentials) {
      options.allowCredentials = json.allowCredentials.map(function (credential) {
        return Object.assign({}, credential, { id: base64urlToBuffer(credential.id) });
      });
    }
    return options;
  }

  /* The assertion as JSON (PublicKeyCredential.toJSON(), WebAuthn Level 3 §5.1.8), by hand where it is missing. */
  function credentialJson(credential) {
    if (typeof credential.toJSON === "function") {
      return credential.toJSON();
    }
    var response = credential.response;
    return {
      id: credential.id,
      rawId: bufferToBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: {
        clientDataJSON: bufferToBase64url(response.clientDataJSON),
        authenticatorData: bufferToBase64url(response.authenticatorData),
        signature: bufferToBase64url(response.signature),
        userHandle: response.userHandle ? bufferToBase64url(response.userHandle) : undefined
      }
    };
  }

  /* Only a URL on this page's origin: a redirect the server names is never followed elsewhere. */
  function sameOrigin(url) {
    try {
      var target = new URL(url, window.location.href);
      return target.origin === window.location.origin ? target.href : null;
    } catch (e) {
      return null;
    }
  }

  function fetchOptions() {
    return fetch(OPTIONS_URL, { method: "POST", headers: jsonHeaders(), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("options refused");
        }
        return response.json();
      });
  }

  function finish(credential) {
    if (!credential) {
      throw new Error("no credential");
    }
    return fetch(SIGN_IN_URL, {
      method: "POST",
      headers: jsonHeaders(),
      credentials: "same-origin",
      body: JSON.stringify(credentialJson(credential))
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("assertion refused");
      }
      return response.json();
    }).then(function (body) {
      // The account's confirmation names where to go back to (data-next, an account path); elsewhere the server's
      // redirectUrl. Either only on this origin.
      var named = button.getAttribute("data-next");
      var target = named !== null ? named : body && body.redirectUrl;
      var next = typeof target === "string" ? sameOrigin(target) : null;
      if (!next) {
        throw new Error("no usable redirect");
      }
      window.location.assign(next);
    });
  }

  function cancelled(error) {
    return error && (error.name === "AbortError" || error.name === "NotAllowedError");
  }

  /* The button: a modal ceremony. An autofill request still open is aborted first (one request at a time). */
  function signIn() {
    hideError();
    if (pendingAutofill) {
      pendingAutofill.abort();
      pendingAutofill = null;
    }
    button.disabled = true;
    fetchOptions()
      .then(function (json) {
        return navigator.credentials.get({ publicKey: requestOptions(json) });
      })
      .then(finish)
      .catch(function (error) {
        // A dialog the user closed (NotAllowedError) is shown too: the page says how to go on.
        if (!error || error.name !== "AbortError") {
          showError();
        }
      })
      .then(function () {
        button.disabled = false;
      });
  }

  /* The sign-in page: passkeys in the username field's autofill (WebAuthn Level 3 §5.1.4, mediation conditional). */
  function startAutofill() {
    if (typeof PublicKeyCredential.isConditionalMediationAvailable !== "function"
        || typeof AbortController !== "function") {
      return;
    }
    PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (!available) {
        return;
      }
      var controller = new AbortController();
      pendingAutofill = controller;
      return fetchOptions()
        .then(function (json) {
          return navigator.credentials.get({
            publicKey: requestOptions(json),
            mediation: "conditional",
            signal: controller.signal
          });
        })
        .then(function (credential) {
          pendingAutofill = null;
          return finish(credential);
        })
        .catch(function (error) {
          if (!cancelled(error)) {
            showError();
          }
        });
    }).catch(function () {
      /* No autofill: the button still works. */
    });
  }

  button.hidden = false;
  button.addEventListener("click", signIn);
  if (conditionalStep) {
    startAutofill();
  }
})();
