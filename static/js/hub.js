// The live hub: new posts appear and expired ones leave without a reload.
// Reconnects with back-off and asks the server for what it missed while away
// (?last=<id>); ids already handled are ignored, so nothing shows twice.
(() => {
  const live = document.getElementById("hub-live");
  if (!live || !("WebSocket" in window)) return;
  const feed = () => document.getElementById("post-feed");
  const status = document.getElementById("hub-status");
  const cardUrl = (id) => live.dataset.cardUrl.replace("/0/", `/${id}/`);
  let lastId = Number(live.dataset.lastEvent || 0);
  let delay = 1000;

  const say = (text) => { if (status) status.textContent = text; };

  const handlers = {
    "post.published": async ({ post }) => {
      // A filtered or later page keeps its order; the first page shows news.
      if (live.dataset.filtered !== undefined || document.getElementById(`post-${post}`)) return;
      const response = await fetch(cardUrl(post), { credentials: "same-origin" });
      if (!response.ok) return;
      const holder = document.createElement("template");
      holder.innerHTML = (await response.text()).trim();
      const card = holder.content.firstElementChild;
      if (!card || document.getElementById(card.id)) return;
      feed().prepend(card);
      document.getElementById("feed-empty")?.remove();
      say(card.querySelector("h2")?.textContent || "");
    },
    "post.stats": ({ post, shares, clicks }) => {
      const card = document.getElementById(`post-${post}`);
      if (!card) return;
      const set = (name, value) => {
        const field = card.querySelector(`[data-stat="${name}"]`);
        if (field && typeof value === "number") field.textContent = String(value);
      };
      set("shares", shares);
      set("clicks", clicks);
    },
    "post.expired": ({ post }) => {
      document.getElementById(`post-${post}`)?.remove();
    },
  };

  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/hub/?last=${lastId}`);
    socket.addEventListener("open", () => { delay = 1000; live.dataset.connected = "true"; });
    socket.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      if (typeof event.id === "number") {
        if (event.id <= lastId) return;
        lastId = event.id;
      }
      const handle = handlers[event.event];
      if (handle) handle(event.data || {});
      document.dispatchEvent(new CustomEvent("hub:event", { detail: event }));
    });
    socket.addEventListener("close", () => {
      delete live.dataset.connected;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  connect();
})();
