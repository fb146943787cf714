// Transverse live layer: one WebSocket per tab for chat, counts, presence and new posts.
// The protocol is in docs/realtime.md. The database is the truth: every message carries
// a revision; the page keeps the highest contiguous revision per conversation and asks
// the server to replay what follows it after any reconnection or gap.
"use strict";

(() => {
  const badge = document.querySelector("[data-chat-badge]");
  if (!badge || !("WebSocket" in window)) {
    return;
  }
  const me = Number(badge.dataset.me);
  const liveStatus = document.querySelector("[data-live-status]");
  const chatEl = document.querySelector("[data-chat]");
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";
  let socket = null;
  let attempts = 0;
  let stopped = false;
  let pingTimer = null;
  let refs = 0;
  const cursors = new Map(); // conversation id -> highest contiguous revision
  const waiting = new Map(); // ref -> callback for the answer

  const strings = {};
  document.querySelectorAll("template[data-strings], template[data-presence-strings]").forEach((t) => {
    t.content.querySelectorAll("[data-s]").forEach((s) => { strings[s.dataset.s] = s.textContent; });
  });
  const fmt = (key, values) => (strings[key] || key).replace(/%\((\w+)\)s/g, (_, k) => values[k]);

  // --- Header badge and live status ---------------------------------------------------
  function setUnread(n) {
    const count = badge.querySelector("[data-chat-unread]");
    count.querySelector("[data-n]").textContent = String(n);
    count.hidden = n <= 0;
  }
  function unreadNow() {
    return Number(badge.querySelector("[data-n]").textContent) || 0;
  }
  function setLive(live) {
    if (liveStatus) {
      liveStatus.hidden = live;
    }
    document.documentElement.dataset.live = live ? "on" : "paused";
  }

  // --- Socket -------------------------------------------------------------------------
  function url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${badge.dataset.wsUrl}`;
  }

  function send(frame, callback) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return false;
    }
    refs += 1;
    const ref = `r${refs}`;
    if (callback) {
      waiting.set(ref, callback);
    }
    socket.send(JSON.stringify({ ...frame, ref }));
    return true;
  }

  function connect() {
    if (stopped) {
      return;
    }
    socket = new WebSocket(url());
    socket.addEventListener("open", () => {
      attempts = 0;
      resync();
      onOpen();
      clearInterval(pingTimer);
      pingTimer = setInterval(() => send({ action: "ping" }), 25000);
    });
    socket.addEventListener("message", (e) => {
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      if (frame.ref && waiting.has(frame.ref)) {
        const callback = waiting.get(frame.ref);
        waiting.delete(frame.ref);
        callback(frame);
      }
      handle(frame);
    });
    socket.addEventListener("close", (e) => {
      clearInterval(pingTimer);
      waiting.forEach((callback) => callback({ type: "error", code: "disconnected" }));
      waiting.clear();
      socket = null;
      setLive(false);
      if (e.code === 4401 || e.code === 4403) {
        stopped = true; // signed out or deactivated: reconnecting would not help
        return;
      }
      attempts += 1;
      // Exponential back-off with full jitter, so a restarted server is not stormed.
      const ceiling = Math.min(30000, 1000 * 2 ** Math.min(attempts, 5));
      setTimeout(connect, 500 + Math.random() * ceiling);
      if (attempts > 1) {
        flushOverHttp();
      }
    });
  }

  function resync() {
    const frame = { action: "sync", cursors: {} };
    cursors.forEach((rev, id) => { frame.cursors[id] = rev; });
    send(frame);
  }

  function handle(frame) {
    switch (frame.type) {
      case "hello":
        setLive(frame.live);
        break;
      case "pong":
        if (frame.live && document.documentElement.dataset.live === "paused") {
          resync(); // the channel layer is back: catch up on what it did not push
        }
        setLive(frame.live);
        break;
      case "ack":
        if (frame.live === false) {
          setLive(false);
        }
        if (frame.message) {
          receive(frame.message, true);
        }
        break;
      case "replay":
        frame.messages.forEach((m) => receive(m, true));
        if (chat && frame.conversation === chat.id) {
          cursors.set(chat.id, Math.max(cursors.get(chat.id) || 0, frame.cursor));
          if (frame.truncated) {
            resync();
          }
          flushPending();
          markRead();
        }
        break;
      case "sync.done":
      case "counts":
        setUnread(frame.chat_unread);
        document.dispatchEvent(new CustomEvent("transverse:counts", { detail: frame }));
        break;
      case "message.created":
      case "message.updated":
        receive(frame.message, false);
        if (frame.type === "message.created" && frame.message.sender.id !== me
            && (!chat || frame.message.conversation !== chat.id || document.hidden)) {
          if (!chat || frame.message.conversation !== chat.id) {
            setUnread(unreadNow() + 1);
          }
          browserNotify(frame.message);
        }
        break;
      case "conversation.read":
        if (frame.agent === me) {
          send({ action: "counts" });
        } else if (chat) {
          chat.seen(frame);
        }
        break;
      case "conversation.added":
      case "conversation.removed":
        send({ action: "counts" });
        if (chat && frame.type === "conversation.removed" && String(frame.conversation) === String(chat.id)) {
          chat.closeComposer();
        }
        break;
      case "typing":
        if (chat && frame.conversation === chat.id && frame.agent.id !== me) {
          chat.typing(frame.agent.name);
        }
        break;
      case "presence":
        showPresence(frame.agent, frame.state);
        break;
      case "presence.states":
        Object.entries(frame.states).forEach(([id, state]) => showPresence(Number(id), state));
        break;
      case "post.created":
        newPosts(frame);
        break;
      case "error":
        if (frame.code === "rate_limited" || frame.code === "unavailable") {
          setTimeout(flushPending, 5000);
        }
        break;
      default:
        document.dispatchEvent(new CustomEvent("transverse:event", { detail: frame }));
    }
  }

  // Cursor rule: a revision right after the cursor advances it; a jump means something
  // was missed (the channel layer is at-most-once), so ask for a replay.
  function receive(message, fromReplay) {
    if (!chat || message.conversation !== chat.id) {
      return;
    }
    chat.render(message);
    const cursor = cursors.get(chat.id) || 0;
    if (message.rev === cursor + 1) {
      cursors.set(chat.id, message.rev);
    } else if (message.rev > cursor + 1 && !fromReplay) {
      clearTimeout(receive.gapTimer);
      receive.gapTimer = setTimeout(resync, 300);
    }
    if (message.sender.id !== me) {
      markRead();
    }
  }

  // --- "N new posts" in feeds (pages opt in with [data-new-posts]) --------------------
  let postsSeen = 0;
  function newPosts(frame) {
    const target = document.querySelector("[data-new-posts]");
    if (!target) {
      return;
    }
    const scope = target.dataset.group;
    if (scope && String(frame.group) !== scope) {
      return;
    }
    postsSeen += 1;
    target.hidden = false;
    const count = target.querySelector("[data-n]");
    if (count) {
      count.textContent = String(postsSeen);
    }
    target.dispatchEvent(new CustomEvent("transverse:new-posts", { detail: { count: postsSeen } }));
  }

  // --- Presence -----------------------------------------------------------------------
  function showPresence(agent, state) {
    document.querySelectorAll(`[data-presence="${agent}"]`).forEach((dot) => {
      dot.dataset.state = state;
      const label = dot.querySelector("[data-presence-label]");
      if (label) {
        label.textContent = strings[state] || state;
      }
    });
  }
  document.addEventListener("visibilitychange", () => {
    send({ action: "presence", away: document.hidden });
    if (!document.hidden) {
      markRead();
    }
  });

  // --- Browser notifications (only after the agent allowed them) ----------------------
  function browserNotify(message) {
    if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted") {
      return;
    }
    const text = message.body.length > 120 ? `${message.body.slice(0, 117)}…` : message.body;
    new Notification(fmt("new_message", { name: message.sender.name }), { body: text, tag: `chat-${message.conversation}` });
  }

  // --- The conversation page ----------------------------------------------------------
  let chat = null;
  const pending = new Map(); // idempotency key -> {body, parent, li}
  let readTimer = null;

  function newKey() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID().replace(/-/g, "");
    }
    return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
  }

  function markRead() {
    if (!chat || document.hidden) {
      return;
    }
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      const last = chat.lastSeq();
      if (last > chat.readSeq) {
        chat.readSeq = last;
        send({ action: "read", conversation: chat.id, seq: last });
      }
    }, 400);
  }

  function flushPending() {
    pending.forEach((item, key) => {
      const ok = send({ action: "send", conversation: chat.id, body: item.body, key, parent: item.parent }, (answer) => {
        if (answer.type === "error" && answer.code !== "disconnected" && answer.code !== "rate_limited" && answer.code !== "unavailable") {
          item.li.dataset.state = "failed";
          item.li.querySelector("[data-state-label]").textContent = `${strings.failed} ${answer.message}`;
          pending.delete(key);
        }
      });
      if (!ok) {
        item.li.dataset.state = "pending";
      }
    });
  }

  // When the socket cannot be opened but the site answers (the channel layer is down,
  // for instance), pending messages go out over HTTP with the same idempotency keys.
  async function flushOverHttp() {
    if (!chat) {
      return;
    }
    for (const [key, item] of pending) {
      const data = new FormData();
      data.append("body", item.body);
      data.append("key", key);
      if (item.parent) {
        data.append("parent", item.parent);
      }
      try {
        const response = await fetch(chat.sendUrl, {
          method: "POST", body: data, credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrf },
        });
        if (!response.ok) {
          break;
        }
        const answer = await response.json();
        chat.render(answer.message);
      } catch {
        break; // offline: they stay pending until the connection is back
      }
    }
  }

  // A conversation page's parts share `view`: its elements and `state`, the object the
  // live layer knows as `chat` (setupChat at the end puts them together).

  // --- The conversation page: one message -----------------------------------------------
  // The markup is templates/chat/_message.html's; regroup applies the rules of
  // chat.selectors.message_thread (day separators, messages grouped by sender).
  const SVG = "http://www.w3.org/2000/svg";
  const KINDS = ["like", "thanks", "idea", "agree", "celebrate"]; // Reaction.Kind's order

  function messageById(view, id) {
    return view.list.querySelector(`li[data-id="${id}"]`);
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (text !== undefined) {
      el.textContent = text;
    }
    return el;
  }

  function reactionIcon(view, kind) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "reaction-icon");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    const use = document.createElementNS(SVG, "use");
    use.setAttribute("href", `${view.icons}#reaction-${kind}`);
    svg.append(use);
    return svg;
  }

  function reactionLabel(kind) {
    return strings[`reaction-${kind}`] || kind;
  }

  function reactionChip(view, kind, agents) {
    const chip = element("span", agents.includes(me) ? "reaction reaction--mine" : "reaction");
    chip.dataset.kind = kind;
    chip.title = reactionLabel(kind);
    chip.append(reactionIcon(view, kind), element("span", "visually-hidden", reactionLabel(kind)), " ",
      element("span", "reaction__count", String(agents.length)));
    return chip;
  }

  function setMenu(li, open) {
    const button = li.querySelector("[data-menu-button]");
    const panel = li.querySelector("[data-menu]");
    if (!button || !panel) {
      return;
    }
    if (open) {
      document.querySelectorAll("[data-menu-button][aria-expanded=true]").forEach((other) => {
        if (other !== button) {
          setMenu(other.closest("li"), false);
        }
      });
    }
    panel.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  // One disclosure button per message: its actions stay out of the tab order until opened,
  // so the composer is not several tab stops per message away.
  function messageMenu(view, li, m) {
    if (m.deleted) {
      return;
    }
    const wrap = element("div", "chat-message__menu");
    const button = element("button", "chat-message__menu-button");
    button.type = "button";
    button.dataset.menuButton = "";
    button.dataset.focusKey = "menu";
    button.setAttribute("aria-expanded", "false");
    const panel = element("div", "chat-message__actions");
    panel.id = `message-${m.id}-actions`;
    panel.dataset.menu = "";
    panel.hidden = true;
    button.setAttribute("aria-controls", panel.id);
    const dots = element("span", "", "⋯");
    dots.setAttribute("aria-hidden", "true");
    button.append(dots, element("span", "visually-hidden", fmt("actions", { name: m.senderName, time: m.time })));
    const add = (parent, label, key, action, className = "button button--quiet") => {
      const b = element("button", className, label);
      b.type = "button";
      b.dataset.focusKey = key;
      b.addEventListener("click", action);
      parent.append(b);
      return b;
    };
    const reacts = element("div", "chat-message__reacts");
    reacts.setAttribute("role", "group");
    reacts.setAttribute("aria-label", strings.react || "React");
    KINDS.forEach((kind) => {
      const b = add(reacts, "", `react-${kind}`, () => send({ action: "react", message: m.id, reaction: kind }), "reaction");
      b.append(reactionIcon(view, kind), " ", reactionLabel(kind));
      b.setAttribute("aria-pressed", m.mineKinds.includes(kind) ? "true" : "false");
    });
    panel.append(reacts);
    const close = () => setMenu(li, false);
    add(panel, strings.reply || "Reply", "reply", () => { close(); startReply(view, m); });
    if (m.sender.id === me) {
      add(panel, strings.edit || "Edit", "edit", () => { close(); startEdit(li, m); });
      add(panel, strings.delete || "Delete", "delete", () => {
        close();
        button.focus();
        send({ action: "delete", message: m.id });
      });
    }
    button.addEventListener("click", () => setMenu(li, panel.hidden));
    wrap.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !panel.hidden) {
        e.preventDefault();
        close();
        button.focus();
      }
    });
    wrap.append(button, panel);
    li.querySelector(".chat-message__content").append(wrap);
  }

  function buildMessage(view, m) {
    const li = element("li", "chat-message");
    const mine = m.sender.id === me;
    li.classList.toggle("chat-message--mine", mine);
    li.classList.toggle("chat-message--deleted", m.deleted);
    li.classList.toggle("chat-message--reply", Boolean(m.parent));
    li.id = `message-${m.id}`;
    Object.assign(li.dataset, { id: m.id, seq: m.seq, rev: m.rev, sender: m.sender.id, key: m.key, day: m.day });
    if (m.parent) {
      li.dataset.parent = m.parent;
    }
    const avatar = element("span", "chat-message__avatar", m.sender.initials || "");
    avatar.setAttribute("aria-hidden", "true");
    const content = element("div", "chat-message__content");
    li.append(avatar, content);
    const meta = element("p", "chat-message__meta");
    const time = element("time", "", m.time);
    time.dateTime = m.created_at;
    meta.append(element("span", "chat-message__sender", mine ? strings.you || "You" : m.sender.name), " ", time);
    if (m.edited && !m.deleted) {
      meta.append(" ", element("span", "chat-message__edited", strings.edited || "(edited)"));
    }
    content.append(meta);
    if (m.deleted) {
      content.append(element("p", "chat-message__tombstone", strings.deleted || "Deleted"));
    } else {
      const body = element("div", "chat-message__body");
      body.innerHTML = m.html; // rendered and cleaned by the server's one Markdown renderer
      content.append(body);
      if (m.documents && m.documents.length) {
        const holder = element("div", "chat-message__cards");
        content.append(holder);
        queueCards(view, holder, m.documents);
      }
    }
    if (m.attachment) {
      const a = element("a");
      a.href = m.attachment.url;
      if (m.attachment.is_image) {
        const img = element("img", "chat-message__image");
        img.src = m.attachment.url;
        img.alt = m.attachment.alt || "";
        img.loading = "lazy";
        a.append(img, " ");
      }
      a.append(m.attachment.name);
      const file = element("p", "chat-message__file");
      file.append(a);
      content.append(file);
    }
    const reactions = element("p", "chat-message__reactions");
    reactions.dataset.reactions = "";
    const given = m.reactions || {};
    KINDS.filter((kind) => (given[kind] || []).length).forEach((kind) => {
      reactions.append(reactionChip(view, kind, given[kind]), " ");
    });
    content.append(reactions);
    messageMenu(view, li, {
      ...m, senderName: m.sender.name,
      mineKinds: KINDS.filter((kind) => (given[kind] || []).includes(me)),
    });
    return li;
  }

  // Day separators and groups, recomputed after every change (the server's rules).
  const dayFormat = (() => {
    const lang = document.documentElement.lang || "fr";
    const options = { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" };
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang, options);
  })();

  function regroup(view) {
    const within = view.groupWithin * 1000;
    const labels = new Map();
    view.list.querySelectorAll("li[data-day-separator]").forEach((x) => {
      labels.set(x.dataset.daySeparator, x.textContent);
      x.remove();
    });
    let previous = null;
    view.list.querySelectorAll("li[data-seq]").forEach((li) => {
      const day = li.dataset.day;
      const newDay = !previous || previous.dataset.day !== day;
      const before = li.previousElementSibling;
      const marker = Boolean(before && before.matches("[data-unread-marker]"));
      if (newDay) {
        const separator = element("li", "chat-day");
        separator.dataset.daySeparator = day;
        separator.append(element("span", "", labels.get(day) || dayFormat.format(new Date(`${day}T00:00:00Z`))));
        (marker ? before : li).before(separator);
      }
      const created = (x) => Date.parse(x.querySelector("time").dateTime);
      const continued = Boolean(previous) && !newDay && !marker && !li.dataset.parent
        && previous.dataset.sender === li.dataset.sender && created(li) - created(previous) <= within;
      li.classList.toggle("chat-message--continued", continued);
      previous = li;
    });
  }

  // Where the focus was in a message about to be replaced (a reaction, an edit): the same
  // control in its new version gets it back, its menu open again if it was.
  function focusIn(li) {
    const active = document.activeElement;
    if (!li || !active || !li.contains(active)) {
      return null;
    }
    const panel = li.querySelector("[data-menu]");
    return { key: active.dataset.focusKey || "menu", open: Boolean(panel && !panel.hidden) };
  }

  function focusBack(view, li, focus) {
    if (focus.open) {
      setMenu(li, true);
    }
    const target = li.querySelector(`[data-focus-key="${focus.key}"]`) || li.querySelector("[data-menu-button]");
    if (target) {
      target.focus();
    } else {
      li.tabIndex = -1;
      li.focus();
    }
  }

  // Cards of linked documents: frames carry only the ids (already in the text), never a
  // name; this reader asks the server for the cards it may see, a batch at a time.
  const cardQueue = new Map();
  let cardTimer = null;
  function queueCards(view, holder, ids) {
    cardQueue.set(holder, ids);
    if (!cardTimer) {
      cardTimer = setTimeout(() => fetchCards(view), 50);
    }
  }

  async function fetchCards(view) {
    cardTimer = null;
    const batch = [...cardQueue.entries()];
    cardQueue.clear();
    const ids = [...new Set(batch.flatMap(([, wanted]) => wanted))].slice(0, 50);
    if (!ids.length || !view.state.cardsUrl) {
      return;
    }
    try {
      const response = await fetch(`${view.state.cardsUrl}?ids=${ids.join(",")}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        return;
      }
      const data = await response.json();
      batch.forEach(([holder, wanted]) => {
        // Server-rendered card templates (escaped), only for documents this reader may see.
        holder.innerHTML = wanted.map((id) => data.cards[String(id)] || "").join("");
      });
    } catch {
      // The cards are an extra: the links stay in the message.
    }
  }

  function renderMessage(view, m) {
    const list = view.list;
    const existing = messageById(view, m.id);
    if (existing && Number(existing.dataset.rev) >= m.rev) {
      return; // already shown at this revision (a duplicate delivery)
    }
    const li = buildMessage(view, m);
    const focus = focusIn(existing);
    const seen = existing && existing.querySelector("[data-seen]");
    if (seen) {
      li.querySelector(".chat-message__content").append(seen); // "vu par" outlives a re-render
    }
    const mine = list.querySelector(`li[data-key="${CSS.escape(m.key)}"][data-state]`);
    if (mine && m.sender.id === me) {
      pending.delete(m.key);
      mine.replaceWith(li);
    } else if (existing) {
      existing.replaceWith(li);
    } else {
      // Keep the list ordered by sequence whatever the arrival order.
      const after = [...list.querySelectorAll("li[data-seq]")].find((x) => Number(x.dataset.seq) > m.seq);
      list.insertBefore(li, after || list.querySelector("li[data-state]"));
    }
    regroup(view);
    if (focus) {
      focusBack(view, li, focus);
    }
  }

  function lastSeq(view) {
    return Math.max(0, ...[...view.list.querySelectorAll("li[data-seq]")].map((x) => Number(x.dataset.seq)));
  }

  // Server-rendered messages get their menus too.
  function controlServerMessages(view) {
    view.list.querySelectorAll("li[data-id]").forEach((li) => {
      const m = {
        id: Number(li.dataset.id), deleted: li.classList.contains("chat-message--deleted"),
        sender: { id: Number(li.dataset.sender), name: li.querySelector(".chat-message__sender").textContent },
        parent: li.dataset.parent ? Number(li.dataset.parent) : null,
        time: li.querySelector("time").textContent,
        body: (li.querySelector(".chat-message__body") || {}).textContent || "",
        mineKinds: [...li.querySelectorAll(".reaction--mine[data-kind]")].map((x) => x.dataset.kind),
      };
      m.senderName = m.sender.name;
      messageMenu(view, li, m);
    });
  }

  document.addEventListener("click", (e) => {
    if (!e.target.closest || !e.target.closest(".chat-message__menu")) {
      document.querySelectorAll("[data-menu-button][aria-expanded=true]").forEach((b) => setMenu(b.closest("li"), false));
    }
  });

  // --- The conversation page: who types, who has read ------------------------------------
  function showTyping(view, name) {
    view.typingEl.textContent = fmt("typing", { name });
    clearTimeout(view.typingTimer);
    view.typingTimer = setTimeout(() => { view.typingEl.textContent = ""; }, 5000);
  }

  // A participant's name, without the presence dot's hidden label ("en ligne").
  function participantName(li) {
    const copy = li.cloneNode(true);
    copy.querySelectorAll("[data-presence]").forEach((dot) => dot.remove());
    return copy.textContent.trim();
  }

  function showSeen(view, frame) {
    const own = [...view.list.querySelectorAll(`li[data-sender="${me}"][data-seq]`)].filter((x) => Number(x.dataset.seq) <= frame.seq).pop();
    if (!own) {
      return;
    }
    // One "seen by" line, under the latest of my messages read.
    let seen = view.list.querySelector("[data-seen]");
    if (!seen) {
      seen = element("p", "chat-message__seen");
      seen.dataset.seen = "";
      seen.dataset.names = "";
    }
    const content = own.querySelector(".chat-message__content") || own;
    if (seen.parentElement !== content) {
      const menu = content.querySelector(".chat-message__menu");
      content.insertBefore(seen, menu);
    }
    const who = view.root.querySelector(`[data-agent="${frame.agent}"]`);
    const names = new Set(seen.dataset.names ? seen.dataset.names.split("|") : []);
    names.add(who ? participantName(who) : String(frame.agent));
    seen.dataset.names = [...names].join("|");
    seen.textContent = fmt("seen", { names: [...names].join(", ") });
  }

  // --- The conversation page: replying, editing, the composer -----------------------------
  function startReply(view, m) {
    const form = view.form;
    view.state.parent = m.parent || m.id;
    const box = form.querySelector("[data-replying]");
    box.querySelector("[data-replying-text]").textContent = fmt("replying", { name: m.sender.name });
    box.hidden = false;
    form.querySelector("textarea").focus();
  }

  function startEdit(li, m) {
    const area = document.createElement("textarea");
    area.value = m.body;
    area.setAttribute("aria-label", strings.edit || "Edit");
    const save = document.createElement("button");
    save.type = "button";
    save.className = "button";
    save.textContent = strings.save || "Save";
    save.addEventListener("click", () => send({ action: "edit", message: m.id, body: area.value }));
    li.querySelector(".chat-message__content").append(area, save);
    area.focus();
  }

  // A message typed in the composer shows at once as pending, then goes out over the socket.
  function submitMessage(view, area) {
    const { form, list, state } = view;
    const body = area.value.trim();
    if (!body) {
      return;
    }
    const key = newKey();
    const li = document.createElement("li");
    li.className = "chat-message chat-message--pending";
    li.dataset.key = key;
    li.dataset.state = "pending";
    const text = document.createElement("p");
    text.textContent = body;
    const label = document.createElement("p");
    label.className = "chat-message__state";
    label.dataset.stateLabel = "";
    label.textContent = strings.pending || "not sent yet";
    li.append(text, label);
    list.append(li);
    pending.set(key, { body, parent: state.parent, li });
    area.value = "";
    state.parent = null;
    form.querySelector("[data-replying]").hidden = true;
    flushPending();
  }

  function setupComposer(view) {
    const { form, state } = view;
    const area = form.querySelector("textarea");
    const file = form.querySelector("input[type=file]");
    setupAltText(form, file);
    form.querySelector("[data-cancel-reply]").addEventListener("click", () => {
      state.parent = null;
      form.querySelector("[data-replying]").hidden = true;
    });
    let lastTyping = 0;
    area.addEventListener("input", () => {
      if (Date.now() - lastTyping > 3000) {
        lastTyping = Date.now();
        send({ action: "typing", conversation: state.id });
      }
    });
    area.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", (e) => {
      if (file && file.files.length) {
        return; // attachments go through the ordinary form post
      }
      e.preventDefault();
      submitMessage(view, area);
    });
    const notifyButton = form.querySelector("[data-enable-notifications]");
    if ("Notification" in window && Notification.permission === "default") {
      notifyButton.hidden = false;
      notifyButton.addEventListener("click", () => {
        Notification.requestPermission().then(() => { notifyButton.hidden = true; });
      });
    }
  }

  // An attached image's description: asked for when the file is an image, required
  // unless marked decorative (the server checks it again).
  function setupAltText(form, file) {
    const alt = form.querySelector("[name=attachment_alt]");
    const decorative = form.querySelector("[name=attachment_decorative]");
    if (!file || !alt || !decorative) {
      return;
    }
    const fields = [alt, decorative].map((x) => x.closest(".field") || x);
    const update = () => {
      const image = file.files.length > 0 && file.files[0].type.startsWith("image/");
      fields.forEach((field) => { field.hidden = !image; });
      alt.required = image && !decorative.checked;
      alt.disabled = image && decorative.checked;
    };
    file.addEventListener("change", update);
    decorative.addEventListener("change", update);
    update();
  }

  // --- The conversation page: older messages, a page at a time ----------------------------
  function setupHistoryPaging(view) {
    const { list, state } = view;
    const older = view.root.querySelector("[data-load-older]");
    async function loadOlder() {
      const first = list.querySelector("li[data-seq]");
      if (!first || older.dataset.busy) {
        return;
      }
      older.dataset.busy = "1";
      try {
        const response = await fetch(`${state.historyUrl}?before=${first.dataset.seq}`, { credentials: "same-origin" });
        const page = await response.json();
        page.messages.forEach((m) => state.render(m));
        older.hidden = !page.has_more;
      } finally {
        delete older.dataset.busy;
      }
    }
    older.addEventListener("click", loadOlder);
  }

  // --- The conversation page, put together --------------------------------------------------
  function setupChat(root) {
    const state = {
      id: Number(root.dataset.conversation),
      sendUrl: root.dataset.sendUrl,
      historyUrl: root.dataset.historyUrl,
      cardsUrl: root.dataset.cardsUrl,
      readSeq: 0,
      parent: null,
    };
    const view = {
      root,
      state,
      list: root.querySelector("[data-messages]"),
      form: root.querySelector("[data-composer]"),
      typingEl: root.querySelector("[data-typing]"),
      typingTimer: null,
      icons: root.dataset.icons,
      groupWithin: Number(root.dataset.groupWithin) || 300,
    };
    cursors.set(state.id, Number(root.dataset.cursor) || 0);
    state.render = (m) => renderMessage(view, m);
    state.lastSeq = () => lastSeq(view);
    state.readSeq = state.lastSeq();
    state.typing = (name) => showTyping(view, name);
    state.seen = (frame) => showSeen(view, frame);
    state.closeComposer = () => {
      if (view.form) {
        view.form.hidden = true;
      }
    };
    controlServerMessages(view);
    if (view.form) {
      setupComposer(view);
    }
    setupHistoryPaging(view);
    // Open at the first unread message, else at the latest one.
    const start = view.list.querySelector("[data-unread-marker]") || view.list.querySelector("li[data-seq]:last-of-type");
    if (start && location.hash === "") {
      start.scrollIntoView({ block: "center" });
    }
    return state;
  }

  if (chatEl) {
    chat = setupChat(chatEl);
    window.addEventListener("online", () => {
      if (!socket) {
        attempts = 0;
        connect();
      }
    });
  }

  // Presence of the agents shown on the page, watched again after every reconnection.
  const watched = [...new Set([...document.querySelectorAll("[data-presence]")].map((x) => Number(x.dataset.presence)))];
  function onOpen() {
    if (watched.length) {
      send({ action: "watch", agents: watched.slice(0, 200) });
    }
    if (document.hidden) {
      send({ action: "presence", away: true });
    }
  }
  connect();
  window.transverseLive = { send, cursors, pending };
})();
