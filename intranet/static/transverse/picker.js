// The person picker: every input marked data-person-picker suggests agents by name,
// department and title as one types (people's suggestions endpoint, visible agents only),
// chosen with the arrow keys and Enter. The choice is written as "Anne Martin (amartin)";
// in a field for several agents (data-person-picker="multiple") it replaces the name being
// typed after the last comma. Without this script the field still takes names or logins.
// The list itself is combobox.js, shared with @mentions.
"use strict";

(() => {
  function segment(input) {
    if (input.dataset.personPicker !== "multiple") return { start: 0, text: input.value };
    const before = input.value.slice(0, input.selectionStart ?? input.value.length);
    const start = before.lastIndexOf(",") + 1;
    return { start, text: before.slice(start) };
  }

  function setup(input) {
    window.TransverseCombobox.attach(input, {
      url: input.dataset.pickerUrl,
      label: input.dataset.pickerLabel,
      status: input.dataset.pickerStatus,
      combobox: true,
      term: () => segment(input).text.trim(),
      describe: (result) => [
        result.name,
        [result.title, result.department].filter(Boolean).join(", "),
      ],
      choose(result) {
        if (input.dataset.personPicker !== "multiple") {
          input.value = result.value;
          return;
        }
        const { start } = segment(input);
        const end = input.selectionStart ?? input.value.length;
        const head = input.value.slice(0, start).replace(/\s*$/, "");
        const tail = input.value.slice(end);
        const chosen = `${head ? `${head} ` : ""}${result.value}, `;
        input.value = chosen + tail.replace(/^[^,]*,?\s*/, "");
        input.setSelectionRange(chosen.length, chosen.length);
      },
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("input[data-person-picker]").forEach(setup);
  });
})();
