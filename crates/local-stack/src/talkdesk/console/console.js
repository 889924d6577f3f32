// The agent console of the simulated Talkdesk: polls the conversations every second and posts
// the agent's actions. Everything shown is set as text, never as HTML.
"use strict";

(() => {
  const POLL_MS = 1000;
  const byId = (id) => document.getElementById(id);
  const list = byId("conversation-list");
  const replyInput = byId("reply-input");
  const status = byId("callback-status");
  const connection = byId("connection");

  let conversations = [];
  let selectedId = null;
  let lastSnapshot = "";

  function element(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    Object.assign(node.dataset, attributes || {});
    return node;
  }

  function stateOf(c) {
    if (c.ended_by_agent) return ["ended", "Ended by agent"];
    if (c.ended_by_customer) return ["customer-left", "Customer left"];
    if (c.accepted) return ["active", "Active"];
    return ["waiting", "Waiting"];
  }

  function time(at) {
    const moment = new Date(at);
    return isNaN(moment) ? "" : moment.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function describe(answer) {
    const parts = [answer.event, "→", String(answer.status)];
    if (answer.outcome) parts.push(answer.outcome);
    return parts.join(" ") + (answer.message ? ": " + answer.message : "");
  }

  function renderList() {
    byId("empty-inbox").hidden = conversations.length > 0;
    list.replaceChildren(...conversations.map((c) => {
      const [state, label] = stateOf(c);
      const item = element("li", undefined, { testid: "conversation-item", conversationId: c.id, state });
      const button = element("button");
      button.type = "button";
      button.className = c.id === selectedId ? "selected" : "";
      button.append(
        element("strong", c.subject),
        element("span", c.contact_name || "Unnamed customer"),
        element("span", label + " · " + c.customer_messages.length + " message(s)"),
      );
      button.addEventListener("click", () => select(c.id));
      item.append(button);
      return item;
    }));
  }

  function renderDetail() {
    const c = conversations.find((x) => x.id === selectedId);
    byId("conversation").hidden = !c;
    byId("details").hidden = !c;
    if (!c) return;
    const [state, label] = stateOf(c);
    byId("conversation-subject").textContent = c.subject;
    byId("conversation-contact").textContent =
      (c.contact_name || "Unnamed customer") + " · started " + time(c.created_at);
    const badge = byId("conversation-state");
    badge.textContent = label;
    badge.dataset.state = state;

    byId("context-parameters").replaceChildren(...Object.entries(c.context_parameters).flatMap(([name, value]) => [
      element("dt", name),
      element("dd", value, { name }),
    ]));
    byId("bot-transcript").replaceChildren(...c.previous_messages.map(([type, content]) => {
      const item = element("li", undefined, { type });
      item.append(element("span", type === "USER" ? "Customer" : "Bot"), element("p", content));
      return item;
    }));

    const timeline = byId("timeline");
    timeline.replaceChildren(...c.timeline.map((entry) => {
      const item = element("li", undefined, { testid: "timeline-entry", from: entry.from });
      item.className = "entry entry-" + entry.from;
      item.append(element("p", entry.text));
      const meta = [time(entry.at)];
      if (entry.callback) meta.push(describe(entry.callback));
      if (entry.error) meta.push("not delivered: " + entry.error);
      const small = element("small", meta.join(" · "));
      if (entry.callback && (entry.callback.status < 200 || entry.callback.status > 299)) small.className = "warn";
      if (entry.error) small.className = "warn";
      item.append(small);
      return item;
    }));
    if (!c.timeline.length) timeline.append(element("li", "Nothing yet: the customer's messages appear here.", { empty: "" }));
    timeline.scrollTop = timeline.scrollHeight;

    byId("accept").disabled = c.accepted || c.ended_by_agent;
    byId("send-reply").disabled = c.ended_by_agent;
    byId("end-chat").disabled = c.ended_by_agent;
    replyInput.disabled = c.ended_by_agent;
  }

  function select(id) {
    if (id !== selectedId) {
      selectedId = id;
      status.textContent = "";
    }
    renderList();
    renderDetail();
  }

  async function refresh() {
    try {
      const response = await fetch("/console/api/conversations", { cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      const snapshot = await response.text();
      connection.dataset.online = "true";
      connection.textContent = "Online";
      // Re-render only on change, so the page stays still while the agent reads or types.
      if (snapshot === lastSnapshot) return;
      lastSnapshot = snapshot;
      conversations = JSON.parse(snapshot).conversations;
      if (!selectedId && conversations.length) selectedId = conversations[0].id;
      renderList();
      renderDetail();
    } catch {
      connection.dataset.online = "false";
      connection.textContent = "Offline";
    }
  }

  async function act(action, extra) {
    if (!selectedId) return;
    const author = byId("agent-name").value;
    status.className = "callback-status";
    status.textContent = "Sending…";
    try {
      const response = await fetch(
        "/console/api/conversations/" + encodeURIComponent(selectedId) + "/" + action,
        { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(Object.assign({ author }, extra)) },
      );
      const answer = await response.json();
      if (response.ok) {
        status.dataset.status = String(answer.status);
        // Talkdesk's callback answers each action; Amazon Connect streams it (202 streamed).
        status.textContent = "Answered " + describe(answer);
        status.className = "callback-status " + (answer.status >= 200 && answer.status < 300 ? "ok" : "warn");
        return true;
      }
      status.dataset.status = "";
      status.textContent = "Not delivered: " + answer.message;
      status.className = "callback-status warn";
      return false;
    } catch (error) {
      status.textContent = "The console's server could not be reached: " + error.message;
      status.className = "callback-status warn";
      return false;
    } finally {
      await refresh();
    }
  }

  byId("reply-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = replyInput.value.trim();
    if (!text) return;
    if (await act("reply", { text })) replyInput.value = "";
  });
  replyInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      byId("reply-form").requestSubmit();
    }
  });
  byId("accept").addEventListener("click", () => act("accept"));
  byId("end-chat").addEventListener("click", () => act("end"));

  refresh();
  setInterval(refresh, POLL_MS);
})();
