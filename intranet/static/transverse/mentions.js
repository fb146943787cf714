// @mention suggestions in every textarea marked data-mentions: type "@" and two letters,
// choose with the arrow keys and Enter (or a click). Suggestions come from /mentions/,
// which lists only agents the writer may see. Without this script, "@login" still works.
// The list itself is combobox.js, shared with the person picker.
"use strict";

(() => {
  function currentToken(area) {
    const before = area.value.slice(0, area.selectionStart);
    const match = /(^|[^\w@/])@([\w.-]{2,50})$/.exec(before);
    return match ? { term: match[2], start: before.length - match[2].length - 1 } : null;
  }

  function setup(area) {
    let token = null;
    window.TransverseCombobox.attach(area, {
      url: "/mentions/",
      label: area.dataset.mentionsLabel || "@",
      status: area.dataset.mentionsStatus,
      combobox: false,
      term() {
        token = currentToken(area);
        return token ? token.term : null;
      },
      describe: (result) => [`${result.name} (@${result.login})`, ""],
      choose(result) {
        const value = area.value;
        const end = area.selectionStart;
        area.value = `${value.slice(0, token.start)}@${result.login} ${value.slice(end)}`;
        const caret = token.start + result.login.length + 2;
        area.setSelectionRange(caret, caret);
      },
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("textarea[data-mentions]").forEach(setup);
  });
})();
