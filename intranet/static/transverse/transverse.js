// Transverse: small progressive enhancements. The site works without this file.
"use strict";

(() => {

  // On narrow screens the menu row (search and main menu) folds behind the "Menu" button;
  // without this script the button stays hidden and the menu stays open.
  function setUpMenuToggle() {
    const header = document.querySelector("[data-site-header]");
    const toggle = header && header.querySelector("[data-menu-toggle]");
    if (!toggle) {
      return;
    }
    header.classList.add("site-header--collapsible");
    toggle.hidden = false;
    toggle.setAttribute("aria-expanded", "false");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
    });
    header.addEventListener("keydown", (event) => {
      const narrow = getComputedStyle(toggle).display !== "none";
      if (event.key === "Escape" && narrow && toggle.getAttribute("aria-expanded") === "true"
          && toggle.parentElement.querySelector(".site-menu").contains(event.target)) {
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  // The account menu is a <details>: Escape closes it (focus back on its button), as does a
  // click or a focus elsewhere in the page.
  function setUpAccountMenu() {
    const menu = document.querySelector("[data-account-menu]");
    if (!menu) {
      return;
    }
    const summary = menu.querySelector("summary");
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        summary.focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (menu.open && !menu.contains(event.target)) {
        menu.open = false;
      }
    });
    document.addEventListener("focusin", (event) => {
      if (menu.open && !menu.contains(event.target)) {
        menu.open = false;
      }
    });
  }

  // A table wider than its column scrolls inside its own region rather than widening the
  // page; the region is focusable (scrolled with the arrow keys) and named after the
  // table's caption or the heading above it, only while it does overflow.
  function tableLabel(table) {
    const caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    if (table.getAttribute("aria-label")) {
      return table.getAttribute("aria-label");
    }
    let node = table.parentElement;
    while (node && node !== document.body) {
      let sibling = node.previousElementSibling;
      while (sibling) {
        const heading = sibling.matches("h1, h2, h3, h4") ? sibling : sibling.querySelector("h1, h2, h3, h4");
        if (heading && heading.textContent.trim()) {
          return heading.textContent.trim();
        }
        sibling = sibling.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }

  function setUpTableRegions() {
    const regions = [];
    document.querySelectorAll("main table").forEach((table) => {
      let region = table.parentElement;
      if (!region.classList.contains("table-scroll")) {
        region = document.createElement("div");
        region.className = "table-scroll";
        table.before(region);
        region.append(table);
      }
      regions.push(region);
    });
    const update = () => {
      regions.forEach((region) => {
        if (region.scrollWidth > region.clientWidth + 1) {
          region.setAttribute("role", "region");
          region.setAttribute("tabindex", "0");
          region.setAttribute("aria-label", tableLabel(region.querySelector("table")));
        } else {
          region.removeAttribute("role");
          region.removeAttribute("tabindex");
          region.removeAttribute("aria-label");
        }
      });
    };
    update();
    if (regions.length && "ResizeObserver" in window) {
      const observer = new ResizeObserver(update);
      regions.forEach((region) => observer.observe(region));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    setUpMenuToggle();
    setUpAccountMenu();
    setUpTableRegions();
    // Bring keyboard and screen-reader users straight to the list of form errors.
    const summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  });
})();
