// Starts the design system's components. Loaded as a module, so it runs only in browsers that support
// them; without JavaScript every page still works.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// A drop-down that follows another (scr_portal.forms.FollowingSelect): when the other field changes, only
// the options that go with its value stay listed (an option with no data-for goes with any). A chosen
// option that no longer fits is cleared, so the person chooses again.
for (const select of document.querySelectorAll("select[data-follows]")) {
  const leader = document.getElementById(select.dataset.follows);
  if (!leader) continue;
  const follow = () => {
    const value = leader.value;
    for (const option of select.options) {
      const fits = !value || !option.dataset.for || option.dataset.for.split(" ").includes(value);
      option.hidden = !fits;
      option.disabled = !fits;
    }
    if (select.selectedOptions.length && select.selectedOptions[0].disabled) select.value = "";
  };
  leader.addEventListener("change", follow);
  follow();
}
