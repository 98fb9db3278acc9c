// The search page in a real browser: Debian's Chromium, driven by playwright-core.
//
//   node tests/browser/page.mjs http://127.0.0.1:PORT OUT_DIR
//
// Types a query, opens a facet, removes it, pages, opens an article and goes back, checks
// that hostile article text shows as text and runs nothing, that the page works on a phone
// screen and with the keyboard, and saves screenshots of the result and article pages.
// Exits non-zero with the first failed check.

import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [base, out] = process.argv.slice(2);
assert.ok(base && out, "usage: page.mjs BASE_URL OUT_DIR");
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const context = await browser.newContext({ javaScriptEnabled: true, viewport: { width: 1200, height: 900 } });
const page = await context.newPage();
const dialogs = [];
page.on("dialog", (d) => {
  dialogs.push(d.message());
  d.dismiss();
});
const total = async () => Number((await page.locator("#summary strong").textContent()).trim());

// Type a query and search with the keyboard.
await page.goto(base + "/");
assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
await page.getByLabel("搜索").fill("峄城");
await page.keyboard.press("Enter");
await page.waitForURL(/q=/);
const all = await total();
assert.ok(all > 10, `峄城 finds more than one page (${all})`);
assert.ok((await page.locator("li.hit").count()) === 10, "ten hits on a page");
assert.ok((await page.locator("li.hit mark").count()) > 0, "matches are marked");
await page.screenshot({ path: join(out, "results.png"), fullPage: true });

// Open a facet value, see the filter, remove it again.
const facet = page.locator("aside.facets section").filter({ hasText: "来源" }).locator("a").first();
const value = (await facet.textContent()).trim();
await facet.click();
await page.waitForURL(/source=/);
const filtered = await total();
assert.ok(filtered < all, `the facet ${value} narrows ${all} to ${filtered}`);
const chip = page.locator("ul.active li").filter({ hasText: value });
assert.equal(await chip.count(), 1, "the filter is shown");
await chip.locator("a").click();
await page.waitForURL((url) => !url.search.includes("source="));
assert.equal(await total(), all, "removing the filter gives every match back");

// A facet's 更多 shows the rest of its values, 收起 the first ten again.
const keywords = page.locator("aside.facets section").filter({ hasText: "关键词" });
assert.equal(await keywords.locator("ul li").count(), 10, "ten keywords at first");
await keywords.getByRole("link", { name: "关键词：显示更多" }).click();
await page.waitForURL(/more=keyword/);
const shown = await page.locator("aside.facets section").filter({ hasText: "关键词" }).locator("ul li").count();
assert.ok(shown > 10, `更多 shows the rest of the keywords (${shown})`);
assert.equal(await total(), all, "更多 changes no result");
await page.getByRole("link", { name: "关键词：收起" }).click();
await page.waitForURL((url) => !url.search.includes("more="));

// Page forward with the keyboard-reachable link, then open an article and come back.
await page.getByRole("link", { name: "下一页" }).click();
await page.waitForURL(/page=2/);
assert.equal((await page.locator('nav.pages [aria-current="page"]').textContent()).trim(), "2");
const second = page.url();
const first = page.locator("li.hit h2 a").first();
const title = (await first.textContent()).trim();
await first.click();
await page.waitForURL(/\/articles\//);
assert.equal((await page.locator("article h1").textContent()).trim(), title);
assert.ok((await page.locator("article mark").count()) > 0, "the article marks the query");
await page.screenshot({ path: join(out, "article.png"), fullPage: true });
await page.goBack();
assert.equal(page.url(), second, "back returns to the same page of results");
await page.getByRole("link", { name: "← 返回搜索结果" }).count();

// Sort by date and a date range, from the form.
await page.goto(base + "/?q=" + encodeURIComponent("峄城") + "&since=2022&until=2022");
for (const d of await page.locator("li.hit time").allTextContents()) {
  assert.ok(d.startsWith("2022"), `a hit of 2022: ${d}`);
}

// Policy documents: ticking 只看现行有效 leaves out what is marked out of force; a 有效性
// facet value narrows to it; an attachment links to its page.
await page.goto(base + "/?q=" + encodeURIComponent("示例"));
assert.ok((await page.locator("li.hit .out-of-force").count()) > 0, "a document is marked out of force");
await page.locator("details.more summary").click();
await page.getByLabel("只看现行有效的文件").check();
await page.getByRole("button", { name: "搜索" }).click();
await page.waitForURL(/in_force=1/);
assert.equal(await page.locator("li.hit .out-of-force").count(), 0, "none out of force once ticked");
assert.ok((await total()) > 0, "documents in force are still found");
await page.goto(base + "/?q=" + encodeURIComponent("*"));
await page.locator("aside.facets").getByRole("link", { name: "废止" }).click();
await page.waitForURL(/force=repealed/);
assert.equal(await total(), 1, "one document is repealed");
assert.equal(await page.locator("li.hit .out-of-force").textContent(), "已废止");
await page.goto(base + "/?q=" + encodeURIComponent("\"秋粮颗粒归仓\""));
await page.locator("li.hit").getByRole("link", { name: "关于印发示例县秋季农业生产实施方案的通知" }).click();
await page.waitForURL(/\/articles\//);
assert.ok((await page.locator("dl.disclosure").innerText()).includes("示农发〔2024〕15号"), "the page's 信息公开 fields");

// Hostile text: shows as text, runs nothing.
await page.goto(base + "/?q=" + encodeURIComponent("恶意"));
assert.ok((await total()) >= 1, "the hostile articles are found");
assert.equal(await page.evaluate(() => window.__xss), undefined, "no script ran");
assert.deepEqual(dialogs, [], "no dialog opened");
const text = await page.locator("main").innerText();
assert.ok(text.includes("<script>"), "a script tag shows as text");
assert.equal(await page.locator("main script, main img").count(), 0, "no element came from article text");
await page.locator("li.hit h2 a").first().click();
await page.waitForURL(/\/articles\//);
assert.equal(await page.evaluate(() => window.__xss), undefined, "no script ran on the article page");
assert.equal(await page.locator('a[href^="javascript:"]').count(), 0, "no javascript: link");

// A phone screen: nothing wider than the screen.
const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
const small = await phone.newPage();
await small.goto(base + "/?q=" + encodeURIComponent("乡村振兴"));
const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
assert.ok(overflow <= 1, `no sideways scrolling on a phone (${overflow}px)`);
await small.screenshot({ path: join(out, "phone.png"), fullPage: true });

// Keyboard: the skip link comes first, then the search box.
await page.goto(base + "/");
await page.keyboard.press("Tab");
assert.equal(await page.evaluate(() => document.activeElement.textContent), "跳到主要内容");

// Without JavaScript the whole flow is links and a form.
const plain = await browser.newContext({ javaScriptEnabled: false });
const noscript = await plain.newPage();
await noscript.goto(base + "/");
await noscript.getByLabel("搜索").fill("会议");
await noscript.getByRole("button", { name: "搜索" }).click();
await noscript.waitForURL(/q=/);
assert.ok((await noscript.locator("li.hit").count()) > 0, "searching works without JavaScript");

await browser.close();
console.log("browser: every check passed; screenshots in " + out);
