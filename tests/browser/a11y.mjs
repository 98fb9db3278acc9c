// The pages against axe-core's WCAG 2 A and AA rules and its best practices, in a real
// browser (Debian's Chromium, driven by playwright-core), as government sites are held to.
//
//   node tests/browser/a11y.mjs http://127.0.0.1:PORT
//
// Checks the home page, a page of results with facets, a filtered page, a page with no
// results, an article and an error page. Exits non-zero listing every rule a page breaks.

import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const [base] = process.argv.slice(2);
assert.ok(base, "usage: a11y.mjs BASE_URL");
const axe = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
// The pages allow no script at all (their content security policy): axe is let in past it.
const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
const page = await context.newPage();

async function violations(path) {
  await page.goto(base + path);
  await page.addScriptTag({ content: axe });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return found.map((v) => `${path}: ${v}`);
}

// An article to open: the first hit of a search.
await page.goto(base + "/?q=" + encodeURIComponent("峄城"));
const article = await page.locator("li.hit h2 a").first().getAttribute("href");
assert.ok(article, "a search finds an article to open");

// A 信息公开 document, with its table of fields.
await page.goto(base + "/?q=" + encodeURIComponent("秋季农业生产") + "&kind=html");
const document_ = await page.locator("li.hit h2 a").first().getAttribute("href");
assert.ok(document_, "a search finds a document to open");

const pages = [
  "/",
  "/advanced",
  "/?q=" + encodeURIComponent("峄城"),
  "/?q=" + encodeURIComponent("峄城") + "&source=" + encodeURIComponent("鲁网") + "&sort=date",
  "/?q=" + encodeURIComponent("峄城") + "&more=keyword&page=2",
  "/?q=" + encodeURIComponent("营商") + "&within=" + encodeURIComponent("峄城") + "&in=title",
  "/?q=" + encodeURIComponent("不存在的词语组合甲乙丙"),
  "/?q=" + encodeURIComponent("示例") + "&in_force=1&kind=html",
  article,
  document_,
  "/article/no-such-article",
];
const found = [];
for (const path of pages) {
  found.push(...(await violations(path)));
}
await browser.close();
assert.deepEqual(found, [], "pages break accessibility rules:\n" + found.join("\n"));
console.log(`${pages.length} pages pass axe-core ${JSON.parse(readFileSync(createRequire(import.meta.url).resolve("axe-core/package.json"), "utf8")).version}`);
