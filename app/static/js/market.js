// Counts a listing view for the seller's funnel: a POST after the page shows, so reading never writes.
document.addEventListener("DOMContentLoaded", () => {
  const page = document.querySelector("[data-seen-url]");
  if (!page || !window.fetch) return;
  fetch(page.dataset.seenUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": page.dataset.csrf },
  }).catch(() => {});
});
