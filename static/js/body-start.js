// Runs first thing in <body> (an external file, so the CSP needs no 'unsafe-inline').
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
