// The customer's chat window: a small stand-in for the Amazon Lex Web UI in Talkdesk live-chat
// mode. What it sends, what it shows and when follow the Lex Web UI exactly (its store's
// postTextMessage and lexPostText actions and its Talkdesk live-chat handlers), so the server
// side is tested against the client it will meet; only the looks differ.
"use strict";

(() => {
  const messages = document.getElementById("messages");
  const composer = document.getElementById("composer");
  const input = document.getElementById("message-input");
  const send = document.getElementById("send");
  const endButton = document.getElementById("end-live-chat");
  const mode = document.getElementById("mode");

  // The Lex Web UI's `connect` configuration, with the values the deployment guide recommends
  // (the Lex Web UI has no default for the two messages). As in the Lex Web UI, a
  // `lexWebUiConfig` URL parameter holding JSON overrides them, e.g.
  // `?lexWebUiConfig={"connect":{"liveChatTerms":""}}`.
  const RECOMMENDED_CONNECT = {
    agentJoinedMessage: "You are now connected. An agent will answer here as soon as one is free.",
    chatEndedMessage: "Chat ended. You are back with the bot.",
    liveChatTerms: "live chat",
  };

  const chat = {
    config: null,
    connect: connectConfig(),
    sessionId: "local-" + randomId(),
    // The client's copy of the Lex session attributes, sent with every turn and replaced by
    // every response's: it keeps the old talkdesk_conversation_id after a live chat.
    sessionAttributes: {},
    // The talkdesk_conversation_id live chat was last started on: the bot keeps echoing it.
    lastConversationId: "",
    socket: null,
    // The Lex Web UI's ESTABLISHED status: set when the socket opens, cleared only by a socket
    // error, never by a close (it has no onclose handler).
    established: false,
    waiting: false,
  };

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function connectConfig() {
    const connect = Object.assign({}, RECOMMENDED_CONNECT);
    const fromUrl = new URLSearchParams(window.location.search).get("lexWebUiConfig");
    if (!fromUrl) return connect;
    try {
      return Object.assign(connect, (JSON.parse(fromUrl) || {}).connect);
    } catch (error) {
      console.error("ignored a lexWebUiConfig that is not JSON", error);
      return connect;
    }
  }

  // Everything shown is text, never HTML. The Lex Web UI shows its own connect messages as
  // agent bubbles; `origin` marks them for whoever inspects the page.
  function show(from, text, origin) {
    const item = document.createElement("li");
    item.className = "bubble bubble-" + from;
    item.dataset.testid = "message";
    item.dataset.from = from;
    if (origin) item.dataset.origin = origin;
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

  // `liveChatTerms` is comma-separated; an empty one means none.
  function isLiveChatTerm(text) {
    const terms = chat.connect.liveChatTerms
      ? chat.connect.liveChatTerms.toLowerCase().split(",").map((term) => term.trim())
      : [];
    return terms.includes(text.toLowerCase());
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
    const attributes = Object.assign({}, (answer.sessionState || {}).sessionAttributes);
    chat.sessionAttributes = attributes;

    // A new conversation id switches to live chat before anything else: the bot's reply to
    // this turn is never shown, and the turn is not recorded in previousUtterance and
    // previousLexResponse, which keep describing the turn before.
    const conversationId = attributes.talkdesk_conversation_id;
    if (conversationId && conversationId !== chat.lastConversationId) {
      chat.lastConversationId = conversationId;
      startLiveChat();
      return;
    }
    const said = (answer.messages || []).filter((m) => typeof m.content === "string" && m.content);
    attributes.previousUtterance = text;
    attributes.previousLexResponse = JSON.stringify({
      messages: said.map((m) => ({ type: m.contentType || "PlainText", value: m.content })),
    });
    said.forEach((m) => show("bot", m.content));
  }

  // Opens the live chat with whatever talkdesk_conversation_id the attributes hold now, which
  // after a live chat term may be a stale one, or none (sent as "undefined").
  function startLiveChat() {
    // Not URL-encoded, as the Lex Web UI does: the reference is URL-safe by design.
    const url = chat.config.websocketUrl + "?conversationId=" + chat.sessionAttributes.talkdesk_conversation_id;
    const socket = new WebSocket(url);
    chat.socket = socket;
    chat.established = false;
    mode.dataset.socket = "connecting";
    setMode(true);
    socket.onopen = () => {
      chat.established = true;
      mode.dataset.socket = "open";
      // Verbatim, before any agent has accepted: nothing from the server is needed.
      show("agent", chat.connect.agentJoinedMessage, "client");
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
    // As in the Lex Web UI, a failed socket leaves the page in live chat until End Live Chat,
    // and a close goes unnoticed; the attribute only helps whoever inspects the page.
    socket.onerror = () => {
      chat.established = false;
      mode.dataset.socket = "error";
    };
    // A refused handshake fires both: it stays marked as the error it was.
    socket.onclose = () => {
      if (chat.socket === socket && chat.established) mode.dataset.socket = "closed";
    };
  }

  function endLiveChat() {
    if (!chat.socket) return;
    chat.socket.close(4000, "conversationId:" + chat.sessionAttributes.talkdesk_conversation_id);
    chat.socket = null;
    chat.established = false;
    mode.dataset.socket = "none";
    setMode(false);
    show("agent", chat.connect.chatEndedMessage, "client");
  }

  function sendLive(text) {
    // Before the socket opened, or after it failed, the Lex Web UI neither sends nor shows
    // the message. After a close it still shows it, and the browser drops the frame.
    if (!chat.established) return;
    // The customer's own bubble comes from here; the server never echoes it.
    show("customer", text);
    chat.socket.send(JSON.stringify({
      action: "onMessage", message: text, conversationId: chat.sessionAttributes.talkdesk_conversation_id,
    }));
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
    if (isLiveChatTerm(text)) {
      // Straight to the live chat, without asking the bot.
      startLiveChat();
      return;
    }
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
