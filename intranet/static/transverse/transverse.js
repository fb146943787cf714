// Transverse: small progressive enhancements. The site works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Bring keyboard and screen-reader users straight to the list of form errors.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
