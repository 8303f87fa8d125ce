// Starts the design system's components. Loaded as a module, so it runs only in browsers that support
// them; without JavaScript every page still works.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
