// The dashboard page in a real browser (Debian's chromium, headless, driven
// by playwright-core): run by test_clients_browser.sh against the test stack.
//
// Environment: SITE (the page's URL), API_TOKEN, USER_DATA_DIR (fresh, empty),
// ACCESS_LOG (nginx's access log),
// SCREENSHOT_DIR (optional: dashboard-light.png and dashboard-dark.png at
// 1440x900 go there). Exits 0 when every check passed, 1 otherwise.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { readFileSync } from "node:fs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../node/package.json"));
const { chromium } = require("playwright-core");

const SITE = process.env.SITE;
const TOKEN = process.env.API_TOKEN;
const SHOTS = process.env.SCREENSHOT_DIR || "";
const ACCESS_LOG = process.env.ACCESS_LOG; // nginx's, to see the 304s
const started = Date.now();

function ok(what) {
  console.log(`ok: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
function check(cond, what) {
  if (!cond) throw new Error(what);
  ok(what);
}

const args = ["--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
if (process.getuid && process.getuid() === 0) args.unshift("--no-sandbox");

const context = await chromium.launchPersistentContext(process.env.USER_DATA_DIR, {
  executablePath: "/usr/bin/chromium", headless: true, args,
  viewport: { width: 1440, height: 900 }, colorScheme: "light", locale: "en-GB",
});
const problems = [];
let failed = false;
// While a check provokes an error answer on purpose, chromium's own "Failed
// to load resource" line for that status is expected.
let expectedStatus = null;

function watch(page, label) {
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (expectedStatus && m.text().includes(`status of ${expectedStatus}`)) return;
    problems.push(`${label}: console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`${label}: page error: ${e.message}`));
  page.on("dialog", (d) => d.dismiss());
}

// The four charts as the page shows them: API URL, ETag, bytes, decoded width.
const charts = (page) => page.$$eval(".chart img", (imgs) => imgs.map((i) => ({
  src: i.dataset.src || "", etag: i.dataset.etag || "", bytes: Number(i.dataset.bytes || 0),
  natural: i.complete ? i.naturalWidth : 0, alt: i.alt,
})));

// Scrolls each chart into view in turn (only charts on screen load) and
// waits until it shows a decoded image whose API URL contains `want` (one
// string for all four, or one per chart: "" for any) and, with `not`, does
// not contain it. A chart that does not get there within 15 s fails the
// test with the reason.
async function allChartsDecoded(page, label, want = "", not = "") {
  const wants = Array.isArray(want) ? want : [want, want, want, want];
  const figures = await page.$$(".chart");
  for (let i = 0; i < figures.length; i++) {
    await figures[i].scrollIntoViewIfNeeded();
    await page.waitForFunction(([n, w, x]) => {
      const img = document.querySelectorAll(".chart img")[n];
      const src = img.dataset.src || "";
      return src.includes(w) && (!x || !src.includes(x)) && img.complete && img.naturalWidth > 0;
    }, [i, wants[i], not], { timeout: 15000 }).catch(() => {
      check(false, `${label}: chart ${i + 1} did not show an image for "${wants[i]}"${not ? ` without "${not}"` : ""}`);
    });
  }
  const got = await charts(page);
  check(got.length === 4 && got.every((c, i) => c.natural > 0 && c.src.includes(wants[i])),
    `${label}: the four charts decode (${got.map((c) => c.natural).join(", ")} px wide)`);
  return got;
}

try {
  const page = await context.newPage();
  watch(page, "desktop");
  await page.goto(SITE, { waitUntil: "load" });
  await page.waitForFunction(() => Number(document.body.dataset.loaded || 0) >= 1, null, { timeout: 10000 });

  const status = await page.textContent("#status");
  check(/ML sync: last run #\d+ succeeded/.test(status), `status line shows the last ML sync: "${status.trim().slice(0, 90)}…"`);
  check(await page.isHidden("#empty"), "no empty-store notice once a run exists");

  const first = await allChartsDecoded(page, "1440x900");
  check(first.every((c) => c.alt && !/loading/.test(c.alt)), "every chart has alt text");
  const rowCounts = await page.$$eval(".panel table", (ts) => ts.map((t) => t.tBodies[0].rows.length));
  const captions = await page.$$eval(".panel table caption", (cs) => cs.map((c) => c.textContent));
  check(rowCounts.length === 4 && rowCounts.every((n) => n > 0), `four tables with rows (${rowCounts.join(", ")})`);
  check(captions.length === 4 && captions.every((c) => c.length > 10), "every table has a caption");
  const channels = await page.$$eval("#channel option", (os) => os.map((o) => o.value).filter(Boolean));
  check(channels.length >= 2, `the channel filter lists the run's channels (${channels.join(", ")})`);

  // Refresh: conditional requests, answered 304 for what did not change.
  // The browser hands the page its stored copy as a 200, so the 304s are
  // counted in nginx's access log.
  const log = () => readFileSync(ACCESS_LOG, "utf8");
  const logBefore = log().length;
  const n0 = Number(await page.getAttribute("body", "data-loaded"));
  await page.click("#refresh");
  await page.waitForFunction((n) => Number(document.body.dataset.loaded) > n, n0, { timeout: 10000 });
  // The visible charts' revalidation: until no chart is loading and the
  // log has stopped growing (at most 10 s).
  await page.waitForFunction(() => !document.querySelector(".chart[aria-busy]"), null, { timeout: 10000 });
  for (let size = -1, t = Date.now(); log().length !== size && Date.now() - t < 10000;) {
    size = log().length;
    await page.waitForTimeout(200);
  }
  const lines = log().slice(logBefore).split("\n").filter((l) => l.includes("/api/ml-dashboard/"));
  const unchanged = lines.filter((l) => /" 304 /.test(l)).length;
  check(lines.length >= 7 && unchanged === lines.length,
    `Refresh: ${lines.length} conditional requests, ${unchanged} answered 304 (nothing downloaded again)`);

  if (SHOTS) {
    await page.mouse.move(0, 0); // no hover on the screenshot
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, "dashboard-light.png") });
    ok(`screenshot ${path.join(SHOTS, "dashboard-light.png")}`);
  }

  // Channel filter: new chart URLs, new images, tables of that channel.
  const pick = channels[0];
  await page.selectOption("#channel", pick);
  const filtered = await allChartsDecoded(page, `channel=${pick}`, `channel=${pick}`);
  check(filtered.every((c, i) => c.src !== first[i].src && c.src.includes(`channel=${pick}`)),
    `channel=${pick}: every chart URL carries the channel`);
  check(filtered.every((c, i) => c.etag !== first[i].etag || c.bytes !== first[i].bytes),
    `channel=${pick}: every chart's image differs (ETag or size)`);
  const fcRows = await page.$$eval("#roi-forecast tbody tr th", (ths) => ths.map((t) => t.textContent));
  check(fcRows.length === 1 && fcRows[0] === pick, `channel=${pick}: the ROI table shows that channel only`);

  // Days: the time series tables get shorter.
  const before = await page.$eval("#roi-timeseries tbody", (b) => b.rows.length);
  await page.selectOption("#days", "7");
  await page.waitForFunction((n) => document.querySelector("#roi-timeseries tbody").rows.length < n, before, { timeout: 10000 });
  const after = await page.$eval("#roi-timeseries tbody", (b) => b.rows.length);
  check(after < before, `days=7: the ROI series table went from ${before} to ${after} rows`);
  const week = (await allChartsDecoded(page, "days=7", ["days=7", "days=7", "days=7", ""])).slice(0, 3);
  check(week.every((c) => c.src.includes("days=7")), "days=7: the three time-based charts' URLs carry days=7");
  // Back to every channel and day: wait for the tables and charts of it.
  await page.selectOption("#channel", "");
  await page.selectOption("#days", "");
  await page.waitForFunction((n) => document.querySelector("#roi-timeseries tbody").rows.length > n, after,
    { timeout: 15000 });
  await page.waitForFunction(() => document.querySelectorAll("#roi-forecast tbody tr").length > 1, null,
    { timeout: 15000 });
  await allChartsDecoded(page, "filters reset", "", "channel=");
  await page.evaluate(() => window.scrollTo(0, 0));

  // A new total re-optimises the budget.
  const uplift0 = await page.textContent("#uplift");
  const current = Number(await page.inputValue("#total"));
  check(current > 0, `the budget input starts at the current total (${current})`);
  const total = Math.round(current * 1.2);
  await page.fill("#total", String(total));
  await page.click("#budget-form button[type=submit]");
  await page.waitForFunction((u) => document.querySelector("#uplift").textContent !== u, uplift0, { timeout: 10000 });
  const uplift1 = await page.textContent("#uplift");
  const caption = await page.textContent("#budget-recommendation caption");
  check(/total of/.test(caption), `total=${total}: the budget table is re-optimised ("${caption.trim()}")`);
  ok(`total=${total}: uplift "${uplift0.trim()}" → "${uplift1.trim()}"`);
  const budgetChart = (await allChartsDecoded(page, `total=${total}`, ["", "", "", `total=${total}`]))[3];
  check(budgetChart.src.includes(`total=${total}`) && budgetChart.etag !== first[3].etag,
    `total=${total}: the budget chart is drawn for the new total (a new URL and image)`);

  // Sync now with the token: a new run, shown in the status line.
  const run0 = Number(await page.getAttribute("#status-ml .job", "data-run-id"));
  await page.click("#sync");
  await page.waitForSelector("#token-form:not([hidden])", { timeout: 5000 });
  ok("Sync now asks for the token");
  expectedStatus = 401;
  await page.fill("#token", "not-the-token");
  await page.click("#token-form button[type=submit]");
  await page.waitForFunction(() => /401/.test(document.querySelector("#message").textContent)
    && !document.querySelector("#token-form").hidden, null, { timeout: 10000 });
  check(await page.evaluate(() => !sessionStorage.getItem("mldash.api_token")),
    `a wrong token: "${(await page.textContent("#message")).trim()}", asked again, not kept`);
  expectedStatus = null;
  await page.fill("#token", TOKEN);
  await page.click("#token-form button[type=submit]");
  await page.waitForFunction((r) => Number(document.querySelector("#status-ml .job")?.dataset.runId) > r, run0, { timeout: 20000 });
  const run1 = Number(await page.getAttribute("#status-ml .job", "data-run-id"));
  const message = await page.textContent("#message");
  check(run1 > run0, `Sync now: the status line shows run #${run1} (was #${run0}); message "${message.trim()}"`);
  check(await page.evaluate(() => !!sessionStorage.getItem("mldash.api_token")), "the token is kept for the tab");
  await page.waitForFunction((r) => document.body.dataset.run === String(r), run1, { timeout: 10000 });
  ok(`the panels show run #${run1}`);
  await allChartsDecoded(page, "after the sync");

  // 409: another sync holds the lock (played by the browser: a real one is
  // over in a tenth of a second); the page waits for it and refreshes.
  expectedStatus = 409;
  await page.route("**/api/ml-dashboard/sync-now", (route) => route.fulfill({
    status: 409, contentType: "application/json",
    body: JSON.stringify({ error: { code: "sync_running", message: "a sync is running", run_id: run1 } }),
  }));
  const loaded = Number(await page.getAttribute("body", "data-loaded"));
  await page.click("#sync");
  await page.waitForFunction(() => /already running/.test(document.querySelector("#message").textContent), null, { timeout: 5000 });
  ok(`409: "${(await page.textContent("#message")).trim()}"`);
  await page.waitForFunction((n) => Number(document.body.dataset.loaded) > n, loaded, { timeout: 10000 });
  ok(`409: refreshed when run #${run1} ended: "${(await page.textContent("#message")).trim()}"`);
  await page.unroute("**/api/ml-dashboard/sync-now");
  expectedStatus = null;

  if (SHOTS) {
    await page.emulateMedia({ colorScheme: "dark" });
    await page.evaluate(() => window.scrollTo(0, 0));
    await allChartsDecoded(page, "dark theme", "theme=dark");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, "dashboard-dark.png") });
    ok(`screenshot ${path.join(SHOTS, "dashboard-dark.png")} (charts with theme=dark)`);
  }
  await page.close();

  // A phone: nothing wider than the screen.
  const phone = await context.newPage();
  watch(phone, "phone");
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(SITE, { waitUntil: "load" });
  await phone.waitForFunction(() => Number(document.body.dataset.loaded || 0) >= 1, null, { timeout: 10000 });
  await allChartsDecoded(phone, "390x844");
  const widths = await phone.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  check(widths[0] <= widths[1], `390x844: no horizontal overflow (scrollWidth ${widths[0]} <= clientWidth ${widths[1]})`);
  if (process.env.PHONE_SHOT) await phone.screenshot({ path: process.env.PHONE_SHOT, fullPage: true });
  await phone.close();

  // An empty store (answers as before the first run) explains the import.
  const empty = await context.newPage();
  watch(empty, "empty");
  await empty.route("**/api/ml-dashboard/*/data*", (route) => route.fulfill({
    status: 200, contentType: "application/json",
    body: JSON.stringify({ run: null, channels: [], series: [], hint: "no ML run yet: import campaign data, then POST /api/ml-dashboard/sync-now" }),
  }));
  await empty.goto(SITE, { waitUntil: "load" });
  await empty.waitForFunction(() => Number(document.body.dataset.loaded || 0) >= 1, null, { timeout: 10000 });
  const notice = await empty.textContent("#empty");
  check(await empty.isVisible("#empty") && /campaigns\/import/.test(notice), "an empty store shows how to import data");
  await empty.close();

  check(problems.length === 0, `no console errors or page errors${problems.length ? `:\n  ${problems.join("\n  ")}` : ""}`);
} catch (e) {
  failed = true;
  console.error(`FAIL: ${e.message}`);
  if (problems.length) console.error(`console:\n  ${problems.join("\n  ")}`);
} finally {
  await context.close();
}
console.log(`browser checks took ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
