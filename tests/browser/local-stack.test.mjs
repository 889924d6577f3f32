// The whole hand-over in a real browser, on the local stack: the customer asks the bot for an
// agent on the chat page, the agent answers in the simulated contact center's console (Talkdesk
// or Amazon Connect, as PROVIDER says), and each sees the other's messages; then, in the same
// Lex session, the customer talks to the bot again and is handed over a second time. Run by
// tests/browser/run, which starts the stack with each provider and passes its URLs.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { launchChromium, required, screenshots, sideBySide, texts, waitFor } from "./support.mjs";

const customerUrl = required("CUSTOMER_URL");
const consoleUrl = required("CONSOLE_URL");
const artifacts = required("ARTIFACTS_DIR");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const provider = required("PROVIDER");
assert.ok(["talkdesk", "amazon-connect"].includes(provider), `unknown PROVIDER ${provider}`);
const connect = provider === "amazon-connect";

// What the console says of each agent action: Talkdesk's callback answers it; Amazon Connect
// streams it to the SNS topic (delivered to connect-events afterwards).
const ANSWERS = connect
  ? { status: "202", reply: /message → 202 streamed/, end: /chat\.ended → 202 streamed/ }
  : { status: "200", reply: /message_created → 200 delivered/, end: /conversation_ended → 200/ };
// How Amazon Connect's agent reads the bot transcript: the chat's first customer messages.
const TRANSCRIPT_MARK = "[Bot transcript] ";

// Answers to the bot's prompts; no word in them selects another intent of the demo bot.
const NAME = "Zoë Example";
const SUBJECT = "Refund for a broken lamp";
// Unique to the run, so the console's second conversation is this run's.
const SECOND_SUBJECT = `Replacement shade, run ${randomUUID().slice(0, 8)}`;
const CUSTOMER_SAYS = "The lamp arrived with a cracked shade.";
const AGENT_SAYS = "Sorry to hear that, Zoë. I have started your refund.";
const CUSTOMER_SAYS_AGAIN = "Could the new shade come in blue?";
const AGENT_SAYS_AGAIN = "Blue it is, Zoë.";
// The page's `connect` config, as the deployment guide recommends it.
const AGENT_JOINED = "You are now connected. An agent will answer here as soon as one is free.";
const CHAT_ENDED = "Chat ended. You are back with the bot.";

let browser;
let customer;
let agent;
// Every WebSocket the customer page opened, by URL, and how many RecognizeText calls it made.
const sockets = [];
let lexCalls = 0;

before(async () => {
  browser = await launchChromium(executablePath);
  customer = await browser.context.newPage();
  await customer.setViewportSize({ width: 460, height: 760 });
  customer.on("websocket", (socket) => sockets.push(socket.url()));
  customer.on("request", (request) => {
    if (request.method() === "POST" && request.url().includes("/bots/")) lexCalls += 1;
  });
  agent = await browser.context.newPage();
  await agent.setViewportSize({ width: 1180, height: 760 });
});

after(async () => {
  await browser?.close();
});

/** Steps that build on each other: after a failed step the rest of the flow is skipped, not
 * failed again. A check only looks, so the flow goes on after it fails. */
function flow() {
  let failed = false;
  const run = (name, body, blocking) => test(name, async (t) => {
    if (failed) {
      t.skip("an earlier step failed");
      return;
    }
    try {
      await body();
    } catch (error) {
      if (blocking) failed = true;
      await screenshots(artifacts, { "failed-customer": customer, "failed-agent-console": agent })
        .catch(() => {});
      throw error;
    }
  });
  return {
    step: (name, body) => run(name, body, true),
    check: (name, body) => run(name, body, false),
  };
}

const bubbles = (from) => `[data-testid="message"][data-from="${from}"] [data-testid="message-text"]`;
// The agent's messages from the server, without the page's own connect messages.
const agentMessages =
  '[data-testid="message"][data-from="agent"]:not([data-origin="client"]) [data-testid="message-text"]';
const pageMessages = '[data-testid="message"][data-origin="client"] [data-testid="message-text"]';

const input = () => customer.getByTestId("message-input");
const mode = () => customer.getByTestId("mode").getAttribute("data-mode");
const socket = () => customer.getByTestId("mode").getAttribute("data-socket");

/** Types `text` and sends it; returns once the page has taken it (it empties the input). */
async function say(text) {
  await waitFor("the chat input to be enabled", () => input().isEnabled());
  await input().fill(text);
  await input().press("Enter");
  await waitFor(`the page to take "${text}"`, async () => (await input().inputValue()) === "");
}

/** Says `text` to the bot and waits for the turn to finish: answers what the customer said,
 * the bot replies the page showed, and whether it switched to live chat. */
async function askBot(text) {
  const before = (await texts(customer, bubbles("bot"))).length;
  await say(text);
  return waitFor(`the bot's turn "${text}" to finish`, async () => {
    if (!(await input().isEnabled())) return false;
    const replies = (await texts(customer, bubbles("bot"))).slice(before);
    const liveChat = (await mode()) === "live-chat";
    return (replies.length > 0 || liveChat) && { said: text, replies, liveChat };
  });
}

/** Asks for an agent and answers the bot's questions (the name, then the subject, in either
 * order) until the page switches to live chat; answers every turn. */
async function handOver(request, subject) {
  const turns = [await askBot(request)];
  for (let turn = 0; turn < 3 && !turns.at(-1).liveChat; turn += 1) {
    const reply = turns.at(-1).replies.join(" ");
    if (/name/i.test(reply)) turns.push(await askBot(NAME));
    else if (/about|subject/i.test(reply)) turns.push(await askBot(subject));
    else assert.fail(`the bot neither opened a new live chat nor asked for a name or subject: "${reply}"`);
  }
  const last = turns.at(-1);
  assert.ok(last.liveChat, `not in live chat after the bot said "${last.replies.join(" ")}"`);
  assert.deepEqual(last.replies, [], "the bot's reply to the escalating turn must never be shown");
  return turns;
}

/** The bot transcript Talkdesk should get for these turns, the last one the escalating one:
 * each turn's words, after the bot's reply to the turn before (which the page sends back as
 * previousLexResponse). The first turn has no bot line before it. */
function transcriptOf(turns) {
  return turns.flatMap(({ said }, index) => {
    const before = index > 0 ? turns[index - 1].replies : [];
    return [...(before.length ? [["EXTERNAL", before.join("\n")]] : []), ["USER", said]];
  });
}

/** The selected conversation's bot transcript in the console, as [type, text] lines: Talkdesk's
 * transcript panel, or Amazon Connect's `[Bot transcript] Customer|Bot: ...` messages. */
async function botTranscript() {
  if (!connect) {
    return agent.getByTestId("bot-transcript").locator("li").evaluateAll((items) =>
      items.map((item) => [item.dataset.type, item.querySelector("p").textContent]));
  }
  const said = await texts(agent, '[data-testid="timeline-entry"][data-from="customer"] p');
  return said
    .filter((text) => text.startsWith(TRANSCRIPT_MARK))
    .map((text) => text.slice(TRANSCRIPT_MARK.length))
    .map((line) => {
      const [speaker, ...rest] = line.split(": ");
      return [speaker === "Customer" ? "USER" : "EXTERNAL", rest.join(": ")];
    });
}

/** The console's row for the conversation with `subject`. */
const conversationItem = (subject) =>
  agent.getByTestId("conversation-item").filter({ hasText: subject });

/** Selects the conversation with `subject` in the console. */
async function openConversation(subject) {
  const item = conversationItem(subject);
  await waitFor(`the conversation "${subject}" in the console`, () => item.isVisible());
  await item.locator("button").click();
  await waitFor(`the conversation "${subject}" to be shown`, async () =>
    (await agent.getByTestId("conversation-subject").innerText()) === subject);
}

/** The conversation id of a WebSocket URL the page opened. */
const conversationIdOf = (url) => new URL(url).searchParams.get("conversationId");

// --- One customer, one Lex session, two live chats -------------------------------------------

const session = flow();
let firstTurns;
let secondTurns;

session.step("the customer page greets the customer", async () => {
  await customer.goto(customerUrl);
  const greeting = await waitFor("the greeting", async () => (await texts(customer, bubbles("bot")))[0]);
  assert.match(greeting, /agent/i);
  assert.equal(await mode(), "bot");
});

session.step("the customer asks the bot for an agent and is handed over at once", async () => {
  const hello = await askBot("Hello");
  assert.equal(hello.liveChat, false);
  assert.doesNotMatch(hello.replies.join(" "), /name/i, "the greeting should not start the hand-over");
  firstTurns = [hello, ...(await handOver("I would like to talk to an agent please", SUBJECT))];
  await waitFor("the WebSocket to open", async () => (await socket()) === "open");
  await waitFor("the page's agent-joined message", async () =>
    (await texts(customer, pageMessages)).includes(AGENT_JOINED));
  assert.deepEqual(await texts(customer, agentMessages), [], "no agent has written yet");
  assert.equal(sockets.length, 1, `${sockets}`);
  assert.ok(await customer.getByTestId("end-live-chat").isVisible(), "End Live Chat is hidden");
});

session.step("the agent console shows the conversation with its context", async () => {
  await agent.goto(consoleUrl);
  await openConversation(SUBJECT);
  assert.match(await agent.getByTestId("conversation-contact").innerText(), new RegExp(NAME));
  const context = agent.getByTestId("context-parameters");
  assert.equal(await context.locator('dd[data-name="customer_name"]').innerText(), NAME);
  assert.equal(await context.locator('dd[data-name="subject"]').innerText(), SUBJECT);
  assert.match(await context.locator('dd[data-name="intent_history"]').innerText(), /Greeting/);
});

session.check("its bot transcript has every turn of the bot conversation, in order", async () => {
  assert.deepEqual(await botTranscript(), transcriptOf(firstTurns));
});

session.step("the customer writes and the agent reads it", async () => {
  await say(CUSTOMER_SAYS);
  await waitFor("the customer's own bubble", async () =>
    (await texts(customer, bubbles("customer"))).includes(CUSTOMER_SAYS));
  await waitFor("the customer's message in the console", async () =>
    (await texts(agent, '[data-testid="timeline-entry"][data-from="customer"] p')).includes(CUSTOMER_SAYS));
  assert.deepEqual(await texts(customer, agentMessages), [], "the server echoed something");
});

session.step("the agent replies and the customer reads it", async () => {
  await agent.getByTestId("reply-input").fill(AGENT_SAYS);
  await agent.getByTestId("send-reply").click();
  const status = agent.getByTestId("callback-status");
  await waitFor("the console's answer", async () => (await status.getAttribute("data-status")) === ANSWERS.status);
  assert.match(await status.innerText(), ANSWERS.reply);
  await waitFor("the agent's reply on the customer page", async () =>
    (await texts(customer, agentMessages)).includes(AGENT_SAYS));
  assert.equal(await agent.getByTestId("conversation-state").innerText(), "Active");
  await screenshots(artifacts, { customer, "agent-console": agent });
  await sideBySide(browser.context, artifacts, customer, agent, connect ? "Amazon Connect" : "Talkdesk");
});

session.step("the agent ends the chat and the customer is told", async () => {
  await agent.getByTestId("end-chat").click();
  await waitFor("the console to show the chat ended", async () =>
    (await agent.getByTestId("conversation-state").getAttribute("data-state")) === "ended");
  assert.match(await agent.getByTestId("callback-status").innerText(), ANSWERS.end);
  await waitFor("the end message on the customer page", async () =>
    (await texts(customer, agentMessages)).some((t) => /ended the chat/i.test(t)));
  await waitFor("the server to close the WebSocket", async () => (await socket()) === "closed");
  await screenshots(artifacts, { "customer-ended": customer, "agent-console-ended": agent });
});

session.step("End Live Chat returns the customer to the bot, which ignores the old conversation id", async () => {
  await customer.getByTestId("end-live-chat").click();
  assert.equal(await mode(), "bot");
  assert.ok(await customer.getByTestId("end-live-chat").isHidden(), "End Live Chat still shown");
  assert.equal((await texts(customer, pageMessages)).at(-1), CHAT_ENDED);
  const order = await askBot("Where is my order?");
  assert.equal(order.liveChat, false, "the old conversation id started live chat again");
  assert.match(order.replies.join(" "), /order/i);
  secondTurns = [order];
});

session.step("the customer asks for an agent again and gets a new live chat", async () => {
  secondTurns.push(...(await handOver("Can I talk to an agent again?", SECOND_SUBJECT)));
  await waitFor("the second WebSocket to open", async () => (await socket()) === "open");
  assert.equal(sockets.length, 2, `${sockets}`);
  const [first, second] = sockets.map(conversationIdOf);
  assert.ok(second && second !== "undefined", `opened with conversationId=${second}`);
  assert.notEqual(second, first, "the second live chat must have a new talkdesk_conversation_id");
  assert.equal((await texts(customer, pageMessages)).at(-1), AGENT_JOINED);
});

session.step("the agent console shows the second conversation", async () => {
  await openConversation(SECOND_SUBJECT);
  assert.match(await agent.getByTestId("conversation-contact").innerText(), new RegExp(NAME));
  assert.equal(await agent.getByTestId("conversation-state").getAttribute("data-state"), "waiting");
});

session.check("its bot transcript holds only the turns since the first live chat, none stale", async () => {
  const transcript = await botTranscript();
  assert.deepEqual(transcript[0], ["USER", "Where is my order?"],
    "the first turn after the live chat has no bot line before it (the page's previousLexResponse then is stale)");
  assert.ok(!transcript.some(([, text]) => text.includes(SUBJECT)),
    `a line of the first bot conversation is in the second transcript: ${JSON.stringify(transcript)}`);
  assert.deepEqual(transcript, transcriptOf(secondTurns));
});

session.step("in the second live chat a message goes each way", async () => {
  await say(CUSTOMER_SAYS_AGAIN);
  await waitFor("the customer's message in the console", async () =>
    (await texts(agent, '[data-testid="timeline-entry"][data-from="customer"] p')).includes(CUSTOMER_SAYS_AGAIN));
  await agent.getByTestId("reply-input").fill(AGENT_SAYS_AGAIN);
  await agent.getByTestId("send-reply").click();
  await waitFor("the agent's second reply on the customer page", async () =>
    (await texts(customer, agentMessages)).includes(AGENT_SAYS_AGAIN));
});

session.step("the customer ends the second chat and the agent sees it", async () => {
  await customer.getByTestId("end-live-chat").click();
  assert.equal(await mode(), "bot");
  assert.equal((await texts(customer, pageMessages)).at(-1), CHAT_ENDED);
  await waitFor("the console to show the customer left", async () =>
    (await agent.getByTestId("conversation-state").getAttribute("data-state")) === "customer-left");
});

// --- A customer who leaves before the agent answers ------------------------------------------

const leaver = flow();

leaver.step("when the customer leaves first, the agent's reply is refused", async () => {
  const subject = `Third question, run ${randomUUID().slice(0, 8)}`;
  await customer.goto(customerUrl);
  await waitFor("the greeting", async () => (await texts(customer, bubbles("bot"))).length > 0);
  await handOver("agent", subject);
  await waitFor("the WebSocket to open", async () => (await socket()) === "open");
  await customer.getByTestId("end-live-chat").click();

  if (!agent.url().startsWith(consoleUrl)) await agent.goto(consoleUrl);
  await openConversation(subject);
  await waitFor("the console to show the customer left", async () =>
    (await agent.getByTestId("conversation-state").getAttribute("data-state")) === "customer-left");
  await agent.getByTestId("reply-input").fill("Are you still there?");
  await agent.getByTestId("send-reply").click();
  const status = agent.getByTestId("callback-status");
  if (connect) {
    // The customer's DisconnectParticipant ended the chat for Amazon Connect too.
    await waitFor("the console's refusal", async () => /chat has ended/.test(await status.innerText()));
  } else {
    await waitFor("the callback's 410", async () => (await status.getAttribute("data-status")) === "410");
  }
});

// --- The Lex Web UI's live chat terms ----------------------------------------------------------

const terms = flow();

terms.step("a live chat term opens the socket with no conversation id, without asking the bot", async () => {
  const config = { connect: { liveChatTerms: "Live Chat, talk to a human" } };
  await customer.goto(`${customerUrl}?lexWebUiConfig=${encodeURIComponent(JSON.stringify(config))}`);
  await waitFor("the greeting", async () => (await texts(customer, bubbles("bot"))).length > 0);
  const [calls, opened, shown] = [lexCalls, sockets.length, (await texts(customer, bubbles("bot"))).length];
  await say("live chat");
  assert.equal(await mode(), "live-chat");
  await waitFor("the refused WebSocket", async () => (await socket()) === "error");
  assert.equal(sockets.length, opened + 1);
  assert.equal(conversationIdOf(sockets.at(-1)), "undefined", "the attribute was never set");
  assert.equal(lexCalls, calls, "the bot was asked");
  assert.equal((await texts(customer, bubbles("bot"))).length, shown, "the bot answered");

  // Stuck in live chat, as the Lex Web UI is: what the customer types is neither sent nor shown.
  const typed = (await texts(customer, bubbles("customer"))).length;
  await say("Hello?");
  assert.equal((await texts(customer, bubbles("customer"))).length, typed);
  await customer.getByTestId("end-live-chat").click();
  assert.equal(await mode(), "bot");
  assert.equal((await texts(customer, pageMessages)).at(-1), CHAT_ENDED);
});
