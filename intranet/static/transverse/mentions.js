// @mention suggestions in every textarea marked data-mentions: type "@" and two letters,
// choose with the arrow keys and Enter (or a click). Suggestions come from /mentions/,
// which lists only agents the writer may see. Without this script, "@login" still works.
"use strict";

(() => {
  const MIN = 2;
  let counter = 0;

  function currentToken(area) {
    const before = area.value.slice(0, area.selectionStart);
    const match = /(^|[^\w@/])@([\w.-]{2,50})$/.exec(before);
    return match ? { term: match[2], start: before.length - match[2].length - 1 } : null;
  }

  function setup(area) {
    counter += 1;
    const list = document.createElement("ul");
    list.id = `mention-list-${counter}`;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", area.dataset.mentionsLabel || "@");
    list.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    area.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", list.id);
    let items = [];
    let active = -1;
    let token = null;
    let pending = null;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      items = [];
      active = -1;
      area.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
      active = index;
      if (index >= 0) area.setAttribute("aria-activedescendant", items[index].id);
    }

    function choose(index) {
      const login = items[index].dataset.login;
      const value = area.value;
      const end = area.selectionStart;
      area.value = `${value.slice(0, token.start)}@${login} ${value.slice(end)}`;
      const caret = token.start + login.length + 2;
      area.setSelectionRange(caret, caret);
      close();
      area.focus();
    }

    function show(results) {
      close();
      results.forEach((result, i) => {
        const item = document.createElement("li");
        item.id = `${list.id}-${i}`;
        item.setAttribute("role", "option");
        item.dataset.login = result.login;
        item.textContent = `${result.name} (@${result.login})`;
        item.addEventListener("mousedown", (event) => {
          event.preventDefault();
          choose(i);
        });
        list.append(item);
        items.push(item);
      });
      if (items.length) {
        list.hidden = false;
        highlight(0);
      }
      const template = area.dataset.mentionsStatus || "{n}";
      status.textContent = items.length ? template.replace("{n}", String(items.length)) : "";
    }

    area.addEventListener("input", () => {
      token = currentToken(area);
      if (!token || token.term.length < MIN) {
        close();
        return;
      }
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(`/mentions/?q=${encodeURIComponent(token.term)}`, {
        signal: pending.signal,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => show(data.results || []))
        .catch(() => {});
    });
    area.addEventListener("keydown", (event) => {
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
    area.addEventListener("blur", () => setTimeout(close, 150));
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("textarea[data-mentions]").forEach(setup);
  });
})();
