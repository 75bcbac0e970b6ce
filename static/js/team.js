// The team dashboard follows the line live: when someone in it completes a
// module, shares or gets clicks, the figures below the filters are fetched
// again (at most every few seconds) and swapped in, keeping the filters, sort
// and page of the address. hub.js holds the socket and tells us of each event.
(() => {
  const region = document.getElementById("team-live");
  if (!region) return;
  const status = document.getElementById("team-status");
  const EVERY = 3000;
  let timer = null;
  let last = 0;

  const refresh = async () => {
    timer = null;
    last = Date.now();
    const response = await fetch(location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("team-live");
    if (!fresh) return;
    region.innerHTML = fresh.innerHTML;
    region.dataset.refreshed = String(Number(region.dataset.refreshed || 0) + 1);
    // team_charts.js draws the new figures' charts.
    region.dispatchEvent(new CustomEvent("team:updated", { bubbles: true }));
    if (status) status.textContent = region.dataset.updatedText || "";
  };

  const moved = new Set(["onboarding.module_completed", "team.activity"]);
  document.addEventListener("hub:event", ({ detail }) => {
    if (!moved.has(detail.event) || timer) return;
    timer = setTimeout(refresh, Math.max(0, last + EVERY - Date.now()));
  });
})();
