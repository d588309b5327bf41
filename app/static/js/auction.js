// Live countdown to an auction's close. The server renders the end time; this only counts down
// (the close itself is decided by the server's clock, and a reload shows any extension).
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  function render(el) {
    const left = Math.max(0, Date.parse(el.dataset.countdown) - Date.now());
    if (left === 0) {
      el.textContent = el.dataset.ended;
      return false;
    }
    const s = Math.floor(left / 1000);
    const days = Math.floor(s / 86400);
    const clock = `${pad(Math.floor((s % 86400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
    const time = days ? `${days} ${el.dataset.days} ${clock}` : clock;
    el.textContent = (el.dataset.left || "{time}").replace("{time}", time);
    return true;
  }
  function start() {
    const items = [...document.querySelectorAll("[data-countdown]")].filter((el) => !el.dataset.counting);
    items.forEach((el) => {
      el.dataset.counting = "1";
      if (!render(el)) return;
      const timer = setInterval(() => {
        if (!render(el)) clearInterval(timer);
      }, 1000);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
