// heartbeat edit page: ask before deleting. The CSP forbids inline handlers, hence a listener.
(() => {
  "use strict";
  const form = document.getElementById("delete-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    const question = form.dataset.confirm || "Delete this pulse?";
    if (!window.confirm(question)) event.preventDefault();
  });
})();
