// Passkeys at the candor console: the one script the console runs, on
// the sign-in page and the passkeys page only. A form marked
// data-passkey="get" (sign in) or "create" (register) is shown when the
// browser has WebAuthn; submitting it asks candor for the ceremony's
// options (data-options), hands them to the browser, and posts the
// browser's answer back in the form's hidden "response" field. Without
// this script the forms stay hidden and the other ways still work.
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
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

  function fromBytes(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return { type: c.type, id: toBytes(c.id), transports: c.transports };
    });
  }

  // The options as candor sends them (WebAuthn's JSON forms) made into
  // what navigator.credentials takes.
  function creationOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.user.id = toBytes(o.user.id);
    o.excludeCredentials = descriptors(o.excludeCredentials);
    return o;
  }

  function requestOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.allowCredentials = descriptors(o.allowCredentials);
    return o;
  }

  // The browser's answer as WebAuthn's JSON form.
  function answer(credential) {
    if (typeof credential.toJSON === "function") {
      return JSON.stringify(credential.toJSON());
    }
    var r = credential.response;
    var response = { clientDataJSON: fromBytes(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = fromBytes(r.attestationObject);
      response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
    } else {
      response.authenticatorData = fromBytes(r.authenticatorData);
      response.signature = fromBytes(r.signature);
      response.userHandle = r.userHandle ? fromBytes(r.userHandle) : null;
    }
    return JSON.stringify({
      id: credential.id,
      rawId: fromBytes(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment
    });
  }

  function ceremony(form) {
    var body = new URLSearchParams();
    var csrf = form.querySelector("input[name=csrf]");
    if (csrf) {
      body.set("csrf", csrf.value);
    }
    return fetch(form.dataset.options, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (json) {
          if (!r.ok) {
            throw new Error(json.detail || r.statusText);
          }
          return json;
        });
      })
      .then(function (options) {
        if (form.dataset.passkey === "create") {
          return navigator.credentials.create({ publicKey: creationOptions(options) });
        }
        return navigator.credentials.get({ publicKey: requestOptions(options) });
      });
  }

  // Passkeys belong to a host name: opened under another (an IP
  // address), the page points to the installation's own address instead.
  function atHome(rpId) {
    var here = location.hostname;
    return !rpId || here === rpId || here.slice(-(rpId.length + 1)) === "." + rpId;
  }

  function enable(form) {
    // The note for browsers without this script (or without WebAuthn).
    var without = document.querySelector("[data-passkey-without]");
    if (without) {
      without.hidden = true;
    }
    if (!atHome(form.dataset.rpId)) {
      var elsewhere = document.querySelector("[data-passkey-elsewhere]");
      if (elsewhere) {
        elsewhere.hidden = false;
      }
      return;
    }
    var section = form.closest("[data-passkey-section]");
    if (section) {
      section.hidden = false;
    }
    var status = form.querySelector("[data-passkey-status]");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      status.textContent = "";
      button.disabled = true;
      ceremony(form)
        .then(function (credential) {
          form.querySelector("input[name=response]").value = answer(credential);
          form.submit();
        })
        .catch(function (e) {
          button.disabled = false;
          status.textContent = form.dataset.failed + " " + (e && e.message ? e.message : String(e));
        });
    });
  }

  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }
  var forms = document.querySelectorAll("form[data-passkey]");
  for (var i = 0; i < forms.length; i++) {
    enable(forms[i]);
  }
})();
