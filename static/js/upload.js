// Evidence upload forms ([data-evidence-upload]) send their files with XMLHttpRequest when
// JavaScript is available, so that a <progress> bar can show how much has been sent. Without
// JavaScript (or when the browser cannot do this) the form posts normally and works the same.
// Loaded as a module from the page: the Content Security Policy allows no inline script.
import { initAll } from "/static/build/govuk-frontend.min.js";

function showProgress(form, loaded, total) {
  const bar = form.querySelector("progress");
  const text = form.querySelector("[data-upload-progress-text]");
  const percent = total ? Math.floor((loaded / total) * 100) : 0;
  bar.max = 100;
  bar.value = percent;
  text.textContent = percent < 100 ? `${percent}% sent` : "Sent. Checking your files…";
}

// A page that is not a redirect (such as an error page) replaces this page's main content,
// because an XMLHttpRequest answer cannot simply be navigated to.
function showPage(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const main = page.querySelector("main");
  if (!main) {
    document.documentElement.innerHTML = html;
    return;
  }
  document.title = page.title;
  document.querySelector("main").replaceWith(main);
  initAll({ scope: main });
  enhance(main);
}

function send(form) {
  const button = form.querySelector("button[type=submit]");
  const progress = form.querySelector("[data-upload-progress]");
  const action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
  const request = new XMLHttpRequest();

  request.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) showProgress(form, event.loaded, event.total);
  });
  request.addEventListener("load", () => {
    if (request.responseURL && request.responseURL !== action.href) {
      // Redirected to the results page: go there, as a normal submission would.
      window.location.assign(request.responseURL);
    } else {
      showPage(request.responseText);
    }
  });
  request.addEventListener("error", () => {
    button.disabled = false;
    form.querySelector("[data-upload-progress-text]").textContent =
      "Your files could not be sent. Check your internet connection and try again.";
  });

  request.open("POST", action.href);
  request.send(new FormData(form));
  button.disabled = true;
  progress.hidden = false;
  showProgress(form, 0, 0);
}

function enhance(scope) {
  for (const form of scope.querySelectorAll("form[data-evidence-upload]")) {
    form.addEventListener("submit", (event) => {
      const input = form.querySelector("input[type=file]");
      const maxFiles = Number(form.dataset.maxFiles || 0);
      // Nothing chosen or too many: let the form post normally so that the server's error
      // summary is shown in the usual way.
      if (!input || input.files.length === 0 || (maxFiles && input.files.length > maxFiles)) {
        return;
      }
      event.preventDefault();
      send(form);
    });
  }
}

if (window.FormData && "upload" in new XMLHttpRequest()) {
  enhance(document);
}
