// The live hub: new posts appear and expired ones leave without a reload;
// campaign bars, the leaderboard and the unread count follow along.
// Reconnects with back-off and asks the server for what it missed while away
// (?last=<id>); ids already handled are ignored, so nothing shows twice.
(() => {
  const live = document.getElementById("hub-live");
  if (!live || !("WebSocket" in window)) return;
  const feed = () => document.getElementById("post-feed");
  const status = document.getElementById("hub-status");
  const cardUrl = (id) => live.dataset.cardUrl.replace("/0/", `/${id}/`);
  const notificationUrl = (id) => live.dataset.notificationUrl.replace("/0/", `/${id}/`);
  // Events reach every socket in id order, so the highest id seen says
  // everything: what came after it is what was missed.
  let lastId = Number(live.dataset.lastEvent || 0);
  let delay = 1000;

  const say = (text) => { if (status) status.textContent = text; };

  const fragment = async (url) => {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return null;
    const holder = document.createElement("template");
    holder.innerHTML = (await response.text()).trim();
    return holder.content.firstElementChild;
  };

  // The unread count in the main navigation; the server's number wins.
  const setUnread = (count, label) => {
    const badge = document.getElementById("nav-unread-count");
    const hidden = document.getElementById("nav-unread-label");
    if (!badge) return;
    badge.textContent = String(count);
    badge.hidden = count <= 0;
    if (hidden && label !== undefined) hidden.textContent = count > 0 ? ` (${label})` : "";
  };

  // At most one leaderboard reload every few seconds, however busy the hub.
  const BOARD_EVERY = 5000;
  let boardAt = 0;
  let boardTimer = null;
  const boardReload = async () => {
    boardTimer = null;
    boardAt = Date.now();
    const url = new URL(location.href);
    url.searchParams.set("fragment", "board");
    const board = await fragment(url);
    const current = document.getElementById("leaderboard-board");
    if (board && current && board.id === current.id) current.replaceWith(board);
  };

  const handlers = {
    "post.published": async ({ post }) => {
      // A filtered or later page keeps its order; the first page shows news.
      if (!feed() || live.dataset.filtered !== undefined || document.getElementById(`post-${post}`)) return;
      const card = await fragment(cardUrl(post));
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
    "campaign.progress": ({ campaign, value, target, percent }) => {
      const box = document.querySelector(`[data-campaign="${Number(campaign)}"]`);
      if (!box || typeof value !== "number") return;
      const set = (name, text) => {
        const field = box.querySelector(`[data-campaign-${name}]`);
        if (field) field.textContent = String(text);
      };
      set("value", value);
      set("target", target);
      set("percent", percent);
      const bar = box.querySelector("[data-campaign-bar]");
      if (bar) {
        bar.setAttribute("aria-valuenow", String(percent));
        const fill = bar.querySelector("span");
        if (fill) fill.style.width = `${Math.min(100, Number(percent) || 0)}%`;
      }
      const reached = box.querySelector("[data-campaign-reached]");
      if (reached) reached.hidden = value < target;
    },
    "leaderboard.changed": () => {
      if (!document.getElementById("leaderboard-board") || boardTimer) return;
      const wait = Math.max(0, boardAt + BOARD_EVERY - Date.now());
      boardTimer = setTimeout(boardReload, wait);
    },
    notification: async ({ id }) => {
      const badge = document.getElementById("nav-unread-count");
      if (badge) setUnread(Number(badge.textContent || 0) + 1);
      if (typeof id !== "number") return;
      const item = await fragment(notificationUrl(id));
      if (!item) return;
      if (item.dataset.unreadCount !== undefined) {
        setUnread(Number(item.dataset.unreadCount), item.dataset.unreadLabel);
      }
      say(item.querySelector(".notification-text")?.textContent.trim() || "");
      const summary = document.getElementById("notifications-unread");
      if (summary && item.dataset.unreadLabel) summary.textContent = item.dataset.unreadLabel;
      const list = document.getElementById("notification-list");
      if (list && live.dataset.filtered === undefined && !document.getElementById(item.id)) {
        delete item.dataset.unreadCount;
        delete item.dataset.unreadLabel;
        list.prepend(item);
        document.getElementById("notifications-empty")?.remove();
      }
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
      // A failed fetch only loses a live touch; the next page load has it all.
      if (handle) Promise.resolve().then(() => handle(event.data || {})).catch(() => {});
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
