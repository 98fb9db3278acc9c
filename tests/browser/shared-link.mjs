// A shared article link, opened in a real browser as a visitor who was sent it would.
//
//   node tests/browser/shared-link.mjs URL TITLE
//
// Opens URL and checks that the page is the article TITLE (its heading), not an error page.
// Exits non-zero with the first failed check.

import { chromium } from "playwright-core";
import assert from "node:assert/strict";

const [url, title] = process.argv.slice(2);
assert.ok(url && title, "usage: shared-link.mjs URL TITLE");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const page = await browser.newPage();
const response = await page.goto(url);
assert.equal(response.status(), 200, `${url} answers ${response.status()}`);
assert.equal((await page.locator("h1").first().textContent()).trim(), title);
assert.equal(await page.getByText("出错了").count(), 0, "no error page");
await browser.close();
