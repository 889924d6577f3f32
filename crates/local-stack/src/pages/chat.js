// The customer's chat window: a small stand-in for the Amazon Lex Web UI in Talkdesk live-chat
// mode. What it sends and how it reacts follow the Lex Web UI exactly, so the
// server side is tested against the client it will meet; only the looks differ.
"use strict";

(() => {
  const messages = document.getElementById("messages");
  const composer = document.getElementById("composer");
  const input = document.getElementById("message-input");
  const send = document.getElementById("send");
  const endButton = document.getElementById("end-live-chat");
  const mode = document.getElementById("mode");

  const chat = {
    config: null,
    sessionId: "local-" + randomId(),
    sessionAttributes: {},
    // The Lex Web UI starts live chat only for a conversation id it has not seen yet: the bot
    // keeps echoing the attribute after the chat ended.
    lastConversationId: "",
    socket: null,
    conversationId: "",
    waiting: false,
  };

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // Everything shown is text, never HTML.
  function show(from, text) {
    const item = document.createElement("li");
    item.className = "bubble bubble-" + from;
    item.dataset.testid = "message";
    item.dataset.from = from;
    if (from === "bot" || from === "agent") {
      const sender = document.createElement("span");
      sender.className = "sender";
      sender.textContent = from === "bot" ? "Bot" : "Agent";
      item.append(sender);
    }
    const body = document.createElement("span");
    body.className = "text";
    body.dataset.testid = "message-text";
    body.textContent = text;
    item.append(body);
    messages.append(item);
    item.scrollIntoView({ block: "end" });
  }

  function setMode(live) {
    mode.dataset.mode = live ? "live-chat" : "bot";
    mode.textContent = live ? "Live chat with an agent" : "Bot";
    endButton.hidden = !live;
  }

  function setWaiting(waiting) {
    chat.waiting = waiting;
    input.disabled = waiting;
    send.disabled = waiting;
    if (!waiting) input.focus();
  }

  async function askBot(text) {
    const c = chat.config;
    const path = ["bots", c.botId, "botAliases", c.aliasId, "botLocales", c.localeId,
      "sessions", chat.sessionId, "text"].map(encodeURIComponent).join("/");
    const response = await fetch("/" + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text, sessionState: { sessionAttributes: chat.sessionAttributes } }),
    });
    if (!response.ok) throw new Error("the bot answered " + response.status);
    const answer = await response.json();
    const said = (answer.messages || []).filter((m) => typeof m.content === "string" && m.content);
    said.forEach((m) => show("bot", m.content));

    // As the Lex Web UI: the response's attributes replace ours, plus the turn just taken.
    const attributes = Object.assign({}, (answer.sessionState || {}).sessionAttributes);
    attributes.previousUtterance = text;
    attributes.previousLexResponse = JSON.stringify({
      messages: said.map((m) => ({ type: m.contentType || "PlainText", value: m.content })),
    });
    chat.sessionAttributes = attributes;

    const conversationId = attributes.talkdesk_conversation_id;
    if (conversationId && conversationId !== chat.lastConversationId) {
      chat.lastConversationId = conversationId;
      startLiveChat(conversationId);
    }
  }

  function startLiveChat(conversationId) {
    // Not URL-encoded, as the Lex Web UI does: the reference is URL-safe by design.
    const socket = new WebSocket(chat.config.websocketUrl + "?conversationId=" + conversationId);
    chat.socket = socket;
    chat.conversationId = conversationId;
    mode.dataset.socket = "connecting";
    setMode(true);
    socket.onopen = () => {
      mode.dataset.socket = "open";
      show("system", "You are now chatting with an agent.");
    };
    socket.onmessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        console.warn("ignored a frame that is not JSON");
        return;
      }
      if (frame && frame.event_type === "message_created" && typeof frame.content === "string") {
        show("agent", frame.content);
      }
    };
    // Like the Lex Web UI, nothing visible happens when the socket fails or the server closes
    // it; the attribute only helps whoever inspects the page.
    socket.onerror = () => { mode.dataset.socket = "error"; };
    socket.onclose = () => {
      if (chat.socket === socket) mode.dataset.socket = "closed";
    };
  }

  function endLiveChat() {
    if (chat.socket) {
      chat.socket.close(4000, "conversationId:" + chat.conversationId);
      chat.socket = null;
    }
    mode.dataset.socket = "none";
    setMode(false);
    show("system", "Live chat ended. You are talking to the bot again.");
  }

  function sendLive(text) {
    // The customer's own bubble comes from here; the server never echoes it.
    show("customer", text);
    if (chat.socket && chat.socket.readyState === WebSocket.OPEN) {
      chat.socket.send(JSON.stringify({
        action: "onMessage", message: text, conversationId: chat.conversationId,
      }));
    } else {
      show("system", "Not sent: the live chat is not connected.");
    }
  }

  composer.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || chat.waiting) return;
    input.value = "";
    if (chat.socket) {
      sendLive(text);
      return;
    }
    show("customer", text);
    setWaiting(true);
    try {
      await askBot(text);
    } catch (error) {
      show("system", "The bot could not be reached: " + error.message + ".");
    } finally {
      setWaiting(false);
    }
  });

  endButton.addEventListener("click", endLiveChat);

  fetch("/customer/config.json")
    .then((response) => {
      if (!response.ok) throw new Error("configuration answered " + response.status);
      return response.json();
    })
    .then((config) => {
      chat.config = config;
      show("bot", "Hi! How can I help you today? You can ask for an agent at any time.");
      setWaiting(false);
    })
    .catch((error) => show("system", "The chat could not start: " + error.message + "."));
})();
