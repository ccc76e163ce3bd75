// Starts govuk-frontend's components. It is a file of ours, not an inline
// script, so that the Content-Security-Policy can forbid inline scripts.
// Pages work without it: it only adds behaviour, such as "Show password",
// keeping what is typed into a form as a draft on the server, and the
// warning before the session times out.
import { initAll } from "./vendor/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// The session: signed-in pages say how many seconds it lasts unused and
// how long before its end to warn (web/timeout.go).
const timeout = Number(document.body.dataset.sessionTimeout || 0);
const warning = Number(document.body.dataset.sessionWarning || 0);
let warnTimer, endTimer, tickTimer, endsAt;

// Forms whose fields are kept as a draft as they are typed (web/drafts.go).
const savers = [];
for (const form of document.querySelectorAll("form[data-draft]")) {
  if (!form.dataset.draft) {
    continue;
  }
  let timer, sent = false;
  const save = () => {
    clearTimeout(timer);
    if (sent) {
      return Promise.resolve();
    }
    const data = new URLSearchParams(new FormData(form));
    data.set("draft-form", form.dataset.draft);
    return fetch("/drafts", { method: "POST", body: data, credentials: "same-origin", redirect: "manual" })
      .then((r) => {
        if (r.status === 204) {
          restart(); // saving used the session, so it lasts longer
        }
      })
      .catch(() => {});
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("submit", () => {
    clearTimeout(timer);
    sent = true;
  });
  savers.push(save);
}

const dialog = document.getElementById("timeout-dialog");

function words(seconds) {
  if (seconds >= 60) {
    const m = Math.ceil(seconds / 60);
    return m === 1 ? "1 minute" : m + " minutes";
  }
  const s = Math.max(0, Math.ceil(seconds / 10) * 10);
  return s + " seconds";
}

function tick() {
  const left = (endsAt - Date.now()) / 1000;
  document.getElementById("timeout-countdown").textContent = words(left);
}

function warn() {
  if (!dialog || dialog.open) {
    return;
  }
  tick();
  tickTimer = setInterval(tick, 1000);
  dialog.showModal();
  document.getElementById("timeout-stay").focus();
}

// end keeps what was typed, then signs out, coming back here after
// signing in again.
function end() {
  Promise.all(savers.map((s) => s())).finally(() => {
    const form = document.getElementById("timeout-sign-out");
    form.elements.reason.value = "timeout";
    form.elements.next.value = location.pathname;
    form.submit();
  });
}

function restart() {
  if (!(timeout > 0)) {
    return;
  }
  clearTimeout(warnTimer);
  clearTimeout(endTimer);
  clearInterval(tickTimer);
  endsAt = Date.now() + timeout * 1000;
  warnTimer = setTimeout(warn, Math.max(0, timeout - warning) * 1000);
  endTimer = setTimeout(end, timeout * 1000);
}

if (dialog && timeout > 0) {
  restart();
  document.getElementById("timeout-stay").addEventListener("click", () => {
    fetch("/session/keepalive", { credentials: "same-origin", redirect: "manual" }).then((r) => {
      if (r.status === 204) {
        dialog.close();
        restart();
      } else {
        end();
      }
    }, end);
  });
  // Escape closes a modal dialog: that is "Stay signed in" too.
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    document.getElementById("timeout-stay").click();
  });
}

// Printing (for the child's file) shows what the page folds away: the
// records, the ended deadlines, the earlier events. Closed again after.
let opened = [];
window.addEventListener("beforeprint", () => {
  opened = Array.from(document.querySelectorAll("main details:not([open])"));
  opened.forEach((d) => { d.open = true; });
});
window.addEventListener("afterprint", () => {
  opened.forEach((d) => { d.open = false; });
  opened = [];
});
