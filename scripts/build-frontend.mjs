// Builds static/build/ from GOV.UK Frontend (installed by npm, never copied into the repo by hand):
// compiles the Sass with the service's own font (Arial: the GDS Transport font is reserved for GOV.UK)
// and copies the JavaScript and the images the service may use (no crown, no GOV.UK icons).
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(root, "static", "build");
mkdirSync(out, { recursive: true });

const result = sass.compile(join(root, "static", "src", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "app.css"), result.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
console.log(`built ${out}: app.css (${result.css.length} bytes), govuk-frontend.min.js`);
