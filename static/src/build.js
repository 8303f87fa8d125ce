// Builds the portal's front-end into static/: compiles our Sass against govuk-frontend and copies the
// vendored scripts and their licences. Run with `npm install && npm run build` (make assets).
const fs = require("fs");
const path = require("path");
const sass = require("sass");

const root = path.resolve(__dirname, "..", "..");
const nm = path.join(root, "node_modules");
const out = (...p) => path.join(root, "static", ...p);

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

const css = sass.compile(path.join(__dirname, "portal.scss"), {
  loadPaths: [nm],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions", "slash-div"],
});
// The footer's crown-copyright crest is the one image the CSS names; it is the Crown's, so drop it.
css.css = css.css.replace(/url\("[^"]*govuk-crest\.svg"\)/g, "none");
if (/GDS Transport|url\("\/static\/vendor\/govuk-frontend\/assets/.test(css.css)) throw new Error("a GOV.UK brand asset slipped into the CSS");
fs.mkdirSync(out("css"), { recursive: true });
fs.writeFileSync(out("css", "portal.css"), css.css);

const govuk = path.join(nm, "govuk-frontend");
copy(path.join(govuk, "dist", "govuk", "govuk-frontend.min.js"), out("vendor", "govuk-frontend", "govuk-frontend.min.js"));
// The npm package ships no licence file; its package.json says MIT, copyright the Crown (GDS).
const govukVersion = require(path.join(govuk, "package.json")).version;
fs.writeFileSync(
  out("vendor", "govuk-frontend", "LICENSE.txt"),
  `govuk-frontend ${govukVersion} (MIT licence), compiled into static/css/portal.css and static/vendor/govuk-frontend/.

The MIT License (MIT)

Copyright (c) 2015 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and
to permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of
the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO
THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
IN THE SOFTWARE.
`,
);
const htmx = path.join(nm, "htmx.org");
copy(path.join(htmx, "dist", "htmx.min.js"), out("vendor", "htmx", "htmx.min.js"));
copy(path.join(htmx, "LICENSE"), out("vendor", "htmx", "LICENSE"));
console.log(`static/css/portal.css: ${(css.css.length / 1024).toFixed(0)} KB`);
