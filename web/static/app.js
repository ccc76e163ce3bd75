// Starts govuk-frontend's components. It is a file of ours, not an inline
// script, so that the Content-Security-Policy can forbid inline scripts.
// Pages work without it: it only adds behaviour, such as "Show password".
import { initAll } from "./vendor/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
