// Uploads to a group's library: drop files on the zone or choose them, each sent in its own
// request with a progress bar and a cancel button. Without this script the form still
// sends every chosen file at once (the server answers with a page).
"use strict";

(() => {
  function text(zone, name) {
    const node = zone.querySelector(`[data-text-${name}]`);
    return node ? node.textContent : name;
  }

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function newBatch() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return "";
  }

  function addRow(zone, file) {
    const template = zone.querySelector("template[data-upload-item]");
    const row = template.content.firstElementChild.cloneNode(true);
    row.querySelector("[data-name]").textContent = file.name;
    zone.querySelector("[data-upload-list]").appendChild(row);
    return row;
  }

  function finish(row, status, message) {
    row.querySelector("[data-status]").textContent = message;
    row.dataset.state = status;
    const cancel = row.querySelector("[data-cancel]");
    if (cancel) {
      cancel.remove();
    }
  }

  function errorMessage(xhr, fallback) {
    try {
      const body = JSON.parse(xhr.responseText);
      if (body.error && body.error.message) {
        return body.error.message;
      }
      if (body.errors && body.errors.length) {
        return body.errors.map((error) => error.message).join(" ");
      }
    } catch {
      // not JSON: a proxy's page (nginx's own 413, for one)
    }
    return fallback;
  }

  function sendOne(zone, form, file, batch) {
    const row = addRow(zone, file);
    const bar = row.querySelector("progress");
    const maxBytes = Number(form.dataset.maxBytes || 0);
    if (maxBytes && file.size > maxBytes) {
      finish(row, "failed", form.dataset.tooLarge);
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken(form));
      data.append("folder", form.querySelector("input[name=folder]").value);
      data.append("batch", batch);
      data.append("files", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-Upload-Files", "1");
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) {
          bar.value = Math.round((100 * event.loaded) / event.total);
        }
      });
      xhr.addEventListener("load", () => {
        let ok = xhr.status === 200;
        if (ok) {
          try {
            const body = JSON.parse(xhr.responseText);
            ok = body.documents && body.documents.length > 0;
            if (!ok) {
              finish(row, "failed", errorMessage(xhr, text(zone, "failed")));
              resolve(false);
              return;
            }
          } catch {
            ok = false;
          }
        }
        bar.value = ok ? 100 : bar.value;
        finish(row, ok ? "done" : "failed", ok ? text(zone, "done") : errorMessage(xhr, text(zone, "failed")));
        resolve(ok);
      });
      xhr.addEventListener("error", () => {
        finish(row, "failed", text(zone, "failed"));
        resolve(false);
      });
      xhr.addEventListener("abort", () => {
        finish(row, "cancelled", text(zone, "cancelled"));
        resolve(false);
      });
      row.querySelector("[data-cancel]").addEventListener("click", () => xhr.abort());
      xhr.send(data);
    });
  }

  function sendAll(zone, form, files) {
    const batch = newBatch();
    const sent = Array.from(files).map((file) => sendOne(zone, form, file, batch));
    Promise.all(sent).then((results) => {
      const list = zone.querySelector("[data-upload-list]");
      list.dataset.complete = "true";
      if (results.some(Boolean) && !zone.querySelector("[data-refresh-link]")) {
        const link = document.createElement("a");
        link.href = window.location.pathname;
        link.dataset.refreshLink = "";
        link.textContent = text(zone, "refresh");
        list.insertAdjacentElement("afterend", link);
      }
    });
  }

  function setup(zone) {
    const form = zone.querySelector("form[data-upload-form]");
    const input = form.querySelector("input[type=file]");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (input.files.length) {
        sendAll(zone, form, input.files);
        input.value = "";
      }
    });
    input.addEventListener("change", () => {
      if (input.files.length) {
        sendAll(zone, form, input.files);
        input.value = "";
      }
    });
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.dataset.dragging = "true";
    });
    zone.addEventListener("dragleave", () => {
      delete zone.dataset.dragging;
    });
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      delete zone.dataset.dragging;
      if (event.dataTransfer && event.dataTransfer.files.length) {
        sendAll(zone, form, event.dataTransfer.files);
      }
    });
  }

  document.querySelectorAll("[data-upload-zone]").forEach(setup);
})();
