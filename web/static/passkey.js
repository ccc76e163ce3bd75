// Passkeys (WebAuthn): the browser's side of registering one and of using
// one as the second factor. The server's JSON endpoints (web/passkey.go)
// make the options and check the answers. The parts of the page this
// works on are hidden until it runs, so without JavaScript, or without
// WebAuthn, people see only the code forms.

const b64 = {
  // base64url text to bytes, and back.
  decode(s) {
    const pad = "=".repeat((4 - (s.length % 4)) % 4);
    const bin = atob((s + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0)).buffer;
  },
  encode(buf) {
    const bin = String.fromCharCode(...new Uint8Array(buf));
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
};

async function post(path, body) {
  const res = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? "{}" : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error(data.error || "The passkey could not be used. Try again, or use a code instead.");
  }
  return data;
}

function showError(box, err) {
  const p = box.querySelector(".app-passkey__error");
  if (!p) return;
  p.textContent = err.name === "NotAllowedError"
    ? "The passkey was not used: it was cancelled or timed out. Try again, or use a code instead."
    : err.message;
  p.hidden = false;
}

// submitForm posts an empty form to path, so the page that follows is a
// normal page (with the recovery codes, shown once).
function submitForm(path) {
  const f = document.createElement("form");
  f.method = "post";
  f.action = path;
  document.body.appendChild(f);
  f.submit();
}

async function register(box) {
  const opts = (await post("/sign-in/passkey/register/options")).publicKey;
  opts.challenge = b64.decode(opts.challenge);
  opts.user.id = b64.decode(opts.user.id);
  for (const c of opts.excludeCredentials || []) c.id = b64.decode(c.id);
  const cred = await navigator.credentials.create({ publicKey: opts });
  const r = cred.response;
  await post("/sign-in/passkey/register?name=" + encodeURIComponent(deviceName()), {
    id: cred.id,
    rawId: b64.encode(cred.rawId),
    type: cred.type,
    response: {
      clientDataJSON: b64.encode(r.clientDataJSON),
      attestationObject: b64.encode(r.attestationObject),
      transports: r.getTransports ? r.getTransports() : [],
    },
    clientExtensionResults: cred.getClientExtensionResults(),
  });
  submitForm("/sign-in/set-up/codes");
}

async function signIn(box) {
  const opts = (await post("/sign-in/passkey/options")).publicKey;
  opts.challenge = b64.decode(opts.challenge);
  for (const c of opts.allowCredentials || []) c.id = b64.decode(c.id);
  const cred = await navigator.credentials.get({ publicKey: opts });
  const r = cred.response;
  const done = await post("/sign-in/passkey", {
    id: cred.id,
    rawId: b64.encode(cred.rawId),
    type: cred.type,
    response: {
      clientDataJSON: b64.encode(r.clientDataJSON),
      authenticatorData: b64.encode(r.authenticatorData),
      signature: b64.encode(r.signature),
      userHandle: r.userHandle ? b64.encode(r.userHandle) : null,
    },
    clientExtensionResults: cred.getClientExtensionResults(),
  });
  window.location.assign(done.next || "/");
}

// deviceName is a default name for a new passkey, from the browser.
function deviceName() {
  const p = (navigator.userAgentData && navigator.userAgentData.platform) || "";
  return p ? "Passkey on " + p : "Passkey";
}

if (window.PublicKeyCredential) {
  for (const box of document.querySelectorAll("[data-passkey]")) {
    box.hidden = false;
    const run = box.dataset.passkey === "register" ? register : signIn;
    box.querySelector("button").addEventListener("click", () => {
      run(box).catch((err) => showError(box, err));
    });
  }
}
