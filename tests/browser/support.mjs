// What the browser test shares: the environment it is given, Chromium's launch, bounded waits
// that say what they waited for, and the screenshots.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

/** A variable the run script sets; the test cannot run without it. */
export function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the test with tests/browser/run`);
  return value;
}

// The machine's network is closed: these flags keep Chromium from reaching out at all.
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Debian's Chromium with a fresh, empty profile; `close()` also removes the profile. */
export async function launchChromium(executablePath) {
  const profile = await mkdtemp(join(tmpdir(), "local-stack-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1200, height: 760 },
    timeout: 30_000,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a truthy value, which it answers; fails after `ms` with `what`. */
export async function waitFor(what, probe, ms = 15_000) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const cause = last ? ` (last error: ${last.message})` : "";
      throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The texts of every element `selector` matches on `page`. */
export function texts(page, selector) {
  return page.locator(selector).allInnerTexts();
}

/** Saves a PNG of each named page into `dir`. */
export async function screenshots(dir, pages) {
  await mkdir(dir, { recursive: true });
  for (const [name, page] of Object.entries(pages)) {
    await page.screenshot({ path: join(dir, `${name}.png`) });
  }
}

/** One PNG with the customer page and the console side by side, as the README shows them;
 * `contactCenter` names the simulated contact center whose console it is. */
export async function sideBySide(context, dir, customer, agent, contactCenter) {
  const [left, right] = await Promise.all([customer.screenshot(), agent.screenshot()]);
  const page = await context.newPage();
  try {
    const image = (png, label) => `<figure><figcaption>${label}</figcaption>
      <img src="data:image/png;base64,${png.toString("base64")}"></figure>`;
    await page.setContent(`<!doctype html><style>
      body { margin: 0; padding: 14px; display: flex; gap: 14px; align-items: flex-start;
             background: #d8dce3; font: 600 14px system-ui, sans-serif; color: #333; width: max-content; }
      figure { margin: 0; } figcaption { margin: 0 0 6px 2px; }
      img { display: block; border-radius: 8px; box-shadow: 0 2px 10px rgba(0,0,0,.15); }
      </style>${image(left, "Customer: the chat page (Lex Web UI protocol)")}
      ${image(right, `Agent: the simulated ${contactCenter} console`)}`);
    await page.setViewportSize({ width: 100, height: 100 });
    const file = join(dir, "local-stack.png");
    await writeFile(file, await page.screenshot({ fullPage: true }));
    return file;
  } finally {
    await page.close();
  }
}
