// The search page's sort control: the Content-Security-Policy forbids inline handlers, so the
// select submits its form from here. Without this file the <noscript> button does the same.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
});
