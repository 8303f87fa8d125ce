// Starts the design system's components. Loaded as a module, so it runs only in browsers that support
// them; without JavaScript every page still works.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
// Every file input becomes the design system's file upload (a "Choose file" button and a drop zone): the
// forms render the plain input, so wrap it here; without JavaScript the plain input works as it is.
document.querySelectorAll('input[type="file"]').forEach((input) => {
  if (input.closest(".govuk-drop-zone")) return;
  const zone = document.createElement("div");
  zone.className = "govuk-drop-zone";
  zone.dataset.module = "govuk-file-upload";
  input.classList.add("govuk-file-upload");
  input.replaceWith(zone);
  zone.append(input);
});
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

// A table's scrolling region is a tab stop only while it has something to scroll (keyboard users then
// scroll it with the arrow keys); without JavaScript every region stays focusable.
const fitScrollRegion = (region) => {
  if (region.scrollWidth > region.clientWidth) region.setAttribute("tabindex", "0");
  else region.removeAttribute("tabindex");
};
if ("ResizeObserver" in window) {
  const observer = new ResizeObserver((entries) => entries.forEach((entry) => fitScrollRegion(entry.target)));
  document.querySelectorAll(".app-table-scroll").forEach((region) => observer.observe(region));
}
