// Transverse: search-as-you-type in the header (agents and groups), as an ARIA combobox.
// Without this file the header box still submits to the results page.
"use strict";

(() => {
  const form = document.querySelector(".header-search");
  if (!form) {
    return;
  }
  const input = form.querySelector('[role="combobox"]');
  const listbox = form.querySelector('[role="listbox"]');
  const status = form.querySelector('[role="status"]');
  const url = form.dataset.suggestUrl;
  let options = [];
  let active = -1;
  let timer = null;
  let controller = null;

  function close() {
    listbox.hidden = true;
    listbox.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    options = [];
    active = -1;
  }

  function setActive(index) {
    options.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(results) {
    listbox.replaceChildren();
    options = results.filter((r) => r.url).map((result, i) => {
      const option = document.createElement("li");
      option.id = `header-search-option-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.url = result.url;
      const label = document.createElement("span");
      label.className = "header-search__label";
      label.textContent = result.label; // text, never HTML
      const detail = document.createElement("span");
      detail.className = "header-search__detail";
      detail.textContent = result.detail || "";
      option.append(label, detail);
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => window.location.assign(result.url));
      listbox.append(option);
      return option;
    });
    const count = options.length;
    status.textContent = count === 0 ? "" : count === 1 ? status.dataset.one : status.dataset.many.replace("%(count)s", count);
    if (count === 0) {
      close();
      return;
    }
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  async function fetchSuggestions() {
    const q = input.value.trim();
    if (q.length < 2) {
      close();
      return;
    }
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    try {
      const response = await fetch(`${url}?q=${encodeURIComponent(q)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) {
        close();
        return;
      }
      const data = await response.json();
      if (input.value.trim() === q) {
        show(data.results || []);
      }
    } catch (error) {
      if (error.name !== "AbortError") {
        close();
      }
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      setActive((active + 1) % options.length);
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      setActive(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Escape") {
      if (!listbox.hidden) {
        event.preventDefault();
        close();
      }
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(options[active].dataset.url);
    }
  });

  input.addEventListener("blur", () => setTimeout(close, 150));
})();
