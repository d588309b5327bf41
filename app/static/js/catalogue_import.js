// Import job page: poll the job's JSON status, move the progress bar, reload for the report.
// Without this file the page refreshes itself (<noscript> meta refresh), so it still works.
document.addEventListener("DOMContentLoaded", () => {
  const card = document.querySelector("[data-import-status]");
  if (!card) return;
  const bar = card.querySelector("progress");
  const text = card.querySelector(".cat-progress-text");
  const badge = card.querySelector(".cat-job-status .badge");
  const status = card.querySelector(".cat-job-status");
  const fill = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
  let delay = 800;

  const poll = async () => {
    try {
      const response = await fetch(card.dataset.importStatus, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) throw new Error(String(response.status));
      const job = await response.json();
      if (job.percent === null) {
        bar.removeAttribute("value");
      } else {
        bar.value = job.percent;
      }
      if (job.status === "running" && badge) badge.textContent = status.dataset.running;
      const values = { read: job.documents_read, total: job.documents_total, written: job.records_written };
      text.textContent = fill(job.documents_total ? text.dataset.read : text.dataset.readUnknown, values);
      if (job.finished) {
        text.textContent = text.dataset.done;
        bar.value = 100;
        window.location.reload();
        return;
      }
      delay = Math.min(delay * 1.3, 3000);
    } catch (error) {
      delay = Math.min(delay * 2, 10000); // keep trying: the job carries on without us
    }
    window.setTimeout(poll, delay);
  };
  window.setTimeout(poll, delay);
});
