// The whole hand-over in a real browser, on the local stack: the customer asks the bot for an
// agent on the chat page, the agent answers in the simulated Talkdesk console, and each sees
// the other's messages. Run by tests/browser/run, which starts the stack and passes its URLs.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchChromium, required, screenshots, sideBySide, texts, waitFor } from "./support.mjs";

const customerUrl = required("CUSTOMER_URL");
const consoleUrl = required("CONSOLE_URL");
const artifacts = required("ARTIFACTS_DIR");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

// Answers to the bot's prompts; no word in them selects another intent of the demo bot.
const NAME = "Zoë Example";
const SUBJECT = "Refund for a broken lamp";
const CUSTOMER_SAYS = "The lamp arrived with a cracked shade.";
const AGENT_SAYS = "Sorry to hear that, Zoë. I have started your refund.";

let browser;
let customer;
let agent;
// Each step builds on the one before: after a failure the rest are skipped, not failed again.
let failed = false;

before(async () => {
  browser = await launchChromium(executablePath);
  customer = await browser.context.newPage();
  await customer.setViewportSize({ width: 460, height: 760 });
  agent = await browser.context.newPage();
  await agent.setViewportSize({ width: 1180, height: 760 });
});

after(async () => {
  await browser?.close();
});

function step(name, body) {
  test(name, async (t) => {
    if (failed) {
      t.skip("an earlier step failed");
      return;
    }
    try {
      await body();
    } catch (error) {
      failed = true;
      await screenshots(artifacts, { "failed-customer": customer, "failed-agent-console": agent })
        .catch(() => {});
      throw error;
    }
  });
}

const bubbles = (from) => `[data-testid="message"][data-from="${from}"] [data-testid="message-text"]`;

async function say(text) {
  const input = customer.getByTestId("message-input");
  await waitFor("the chat input to be enabled", () => input.isEnabled());
  await input.fill(text);
  await input.press("Enter");
}

/** Says `text` to the bot and answers the bot's reply. */
async function askBot(text) {
  const before = (await texts(customer, bubbles("bot"))).length;
  await say(text);
  const replies = await waitFor(`the bot to answer "${text}"`, async () => {
    const all = await texts(customer, bubbles("bot"));
    return all.length > before && all;
  });
  return replies.at(-1);
}

const mode = () => customer.getByTestId("mode").getAttribute("data-mode");
const socket = () => customer.getByTestId("mode").getAttribute("data-socket");

/** The console's row for the conversation with `subject`. */
const conversationItem = (subject) =>
  agent.getByTestId("conversation-item").filter({ hasText: subject });

step("the customer page greets the customer", async () => {
  await customer.goto(customerUrl);
  const greeting = await waitFor("the greeting", async () => (await texts(customer, bubbles("bot")))[0]);
  assert.match(greeting, /agent/i);
  assert.equal(await mode(), "bot");
});

step("the customer asks the bot for an agent and is handed over", async () => {
  const hello = await askBot("Hello");
  assert.doesNotMatch(hello, /name/i, "the greeting should not start the hand-over");
  let reply = await askBot("I would like to talk to an agent please");
  // The bot asks for what it is missing: the name, then the subject, in either order.
  for (let turn = 0; turn < 3 && (await mode()) !== "live-chat"; turn += 1) {
    if (/name/i.test(reply)) reply = await askBot(NAME);
    else if (/about|subject/i.test(reply)) reply = await askBot(SUBJECT);
    else assert.fail(`the bot neither handed over nor asked for a name or subject: "${reply}"`);
  }
  assert.equal(await mode(), "live-chat", `not in live chat after the bot said "${reply}"`);
  await waitFor("the WebSocket to open", async () => (await socket()) === "open");
  await waitFor("the live-chat notice", async () =>
    (await texts(customer, bubbles("system"))).some((t) => /chatting with an agent/i.test(t)));
  assert.ok(await customer.getByTestId("end-live-chat").isVisible(), "End Live Chat is hidden");
});

step("the agent console shows the conversation with its context and transcript", async () => {
  await agent.goto(consoleUrl);
  const item = conversationItem(SUBJECT);
  await waitFor(`the conversation "${SUBJECT}" in the console`, () => item.isVisible());
  await item.locator("button").click();
  assert.equal(await agent.getByTestId("conversation-subject").innerText(), SUBJECT);
  assert.match(await agent.getByTestId("conversation-contact").innerText(), new RegExp(NAME));

  const context = agent.getByTestId("context-parameters");
  assert.equal(await context.locator('dd[data-name="customer_name"]').innerText(), NAME);
  assert.equal(await context.locator('dd[data-name="subject"]').innerText(), SUBJECT);
  assert.match(await context.locator('dd[data-name="intent_history"]').innerText(), /Greeting/);

  const transcript = await agent.getByTestId("bot-transcript").innerText();
  assert.match(transcript, /Hello/, "the customer's first words are missing");
  assert.match(transcript, /talk to an agent/, "the request for an agent is missing");
});

step("the customer writes and the agent reads it", async () => {
  await say(CUSTOMER_SAYS);
  await waitFor("the customer's own bubble", async () =>
    (await texts(customer, bubbles("customer"))).includes(CUSTOMER_SAYS));
  await waitFor("the customer's message in the console", async () =>
    (await texts(agent, '[data-testid="timeline-entry"][data-from="customer"] p')).includes(CUSTOMER_SAYS));
  assert.deepEqual(await texts(customer, bubbles("agent")), [], "the server echoed something");
});

step("the agent replies and the customer reads it", async () => {
  await agent.getByTestId("reply-input").fill(AGENT_SAYS);
  await agent.getByTestId("send-reply").click();
  const status = agent.getByTestId("callback-status");
  await waitFor("the callback's answer in the console", async () => (await status.getAttribute("data-status")) === "200");
  assert.match(await status.innerText(), /message_created → 200 delivered/);
  await waitFor("the agent's reply on the customer page", async () =>
    (await texts(customer, bubbles("agent"))).includes(AGENT_SAYS));
  assert.equal(await agent.getByTestId("conversation-state").innerText(), "Active");
  await screenshots(artifacts, { customer, "agent-console": agent });
  await sideBySide(browser.context, artifacts, customer, agent);
});

step("the agent ends the chat and the customer is told", async () => {
  await agent.getByTestId("end-chat").click();
  await waitFor("the console to show the chat ended", async () =>
    (await agent.getByTestId("conversation-state").getAttribute("data-state")) === "ended");
  assert.match(await agent.getByTestId("callback-status").innerText(), /conversation_ended → 200/);
  await waitFor("the end message on the customer page", async () =>
    (await texts(customer, bubbles("agent"))).some((t) => /ended the chat/i.test(t)));
  await waitFor("the server to close the WebSocket", async () => (await socket()) === "closed");
  await screenshots(artifacts, { "customer-ended": customer, "agent-console-ended": agent });
});

step("End Live Chat returns the customer to the bot", async () => {
  await customer.getByTestId("end-live-chat").click();
  assert.equal(await mode(), "bot");
  assert.ok(await customer.getByTestId("end-live-chat").isHidden(), "End Live Chat still shown");
  const reply = await askBot("Hello again");
  assert.match(reply, /hello/i);
  assert.equal(await mode(), "bot", "the old conversation id started live chat again");
});

step("when the customer leaves first, the agent's reply gets 410", async () => {
  const subject = "Second question";
  await customer.goto(customerUrl);
  await waitFor("the greeting", async () => (await texts(customer, bubbles("bot"))).length > 0);
  let reply = await askBot("agent");
  for (let turn = 0; turn < 3 && (await mode()) !== "live-chat"; turn += 1) {
    reply = await askBot(/name/i.test(reply) ? NAME : subject);
  }
  await waitFor("the WebSocket to open", async () => (await socket()) === "open");
  await customer.getByTestId("end-live-chat").click();

  const item = conversationItem(subject);
  await waitFor("the second conversation in the console", () => item.isVisible());
  await item.locator("button").click();
  await waitFor("the console to show the customer left", async () =>
    (await agent.getByTestId("conversation-state").getAttribute("data-state")) === "customer-left");
  await agent.getByTestId("reply-input").fill("Are you still there?");
  await agent.getByTestId("send-reply").click();
  const status = agent.getByTestId("callback-status");
  await waitFor("the callback's 410", async () => (await status.getAttribute("data-status")) === "410");
});
