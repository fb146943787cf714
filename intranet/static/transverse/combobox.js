// The suggestion list shared by @mentions (mentions.js) and the person picker (picker.js),
// after the WAI-ARIA combobox pattern: a listbox controlled by the field, the highlighted
// option named by aria-activedescendant (focus stays in the field), arrow keys to move,
// Enter or Tab to choose, Escape to close, a polite status with the number of suggestions.
// Suggestions come from a JSON endpoint answering {"results": [...]}; each caller says
// which term to look up, how an option reads and what choosing one does.
"use strict";

window.TransverseCombobox = (() => {
  const MIN = 2;
  let counter = 0;

  // options: url, label, status ("{n} …"), term() -> string or null,
  // describe(result) -> [main text, secondary text], choose(result), combobox (bool:
  // role="combobox" on an input; a textarea keeps its own role).
  function attach(field, options) {
    counter += 1;
    const list = document.createElement("ul");
    list.id = `combobox-list-${counter}`;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", options.label || "");
    list.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    field.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    if (options.combobox) {
      field.setAttribute("role", "combobox");
      field.setAttribute("aria-expanded", "false");
    }
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    let items = [];
    let results = [];
    let active = -1;
    let pending = null;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      items = [];
      results = [];
      active = -1;
      field.removeAttribute("aria-activedescendant");
      if (options.combobox) field.setAttribute("aria-expanded", "false");
    }

    function highlight(index) {
      items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
      active = index;
      if (index >= 0) {
        field.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(index) {
      const result = results[index];
      close();
      options.choose(result);
      field.focus();
    }

    function option(result, i) {
      const item = document.createElement("li");
      item.id = `${list.id}-${i}`;
      item.setAttribute("role", "option");
      const [main, secondary] = options.describe(result);
      const name = document.createElement("span");
      name.className = "suggestions__main";
      name.textContent = main;
      item.append(name);
      if (secondary) {
        const more = document.createElement("span");
        more.className = "suggestions__more";
        more.textContent = secondary;
        item.append(" ", more);
      }
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(i);
      });
      return item;
    }

    function show(found) {
      close();
      results = found;
      results.forEach((result, i) => {
        const item = option(result, i);
        list.append(item);
        items.push(item);
      });
      if (items.length) {
        list.hidden = false;
        if (options.combobox) field.setAttribute("aria-expanded", "true");
        highlight(0);
      }
      const template = options.status || "{n}";
      status.textContent = items.length ? template.replace("{n}", String(items.length)) : "";
    }

    field.addEventListener("input", () => {
      const term = options.term();
      if (!term || term.length < MIN) {
        close();
        return;
      }
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(`${options.url}?q=${encodeURIComponent(term)}`, {
        signal: pending.signal,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => show(data.results || []))
        .catch(() => {});
    });
    field.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        if (active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    field.addEventListener("blur", () => setTimeout(close, 150));
  }

  return { attach };
})();
