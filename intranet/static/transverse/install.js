// Transverse as an installable application: registers the service worker (served from
// the site's root so that its scope is the whole site; see intranet/core/views.py).
"use strict";

(() => {
  const script = document.currentScript;
  const url = script && script.dataset.swUrl;
  if (!url || !("serviceWorker" in navigator) || !window.isSecureContext) {
    return;
  }
  window.addEventListener("load", () => {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(() => {
      // Not installable here (a private window, a policy): the site works the same.
    });
  });
})();
