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

// The five charts as the page shows them (the four dashboards' and the
// accuracy chart; the anomalies panel has none): API URL, ETag, bytes,
// decoded width.
const charts = (page) => page.$$eval(".chart img", (imgs) => imgs.map((i) => ({
  src: i.dataset.src || "", etag: i.dataset.etag || "", bytes: Number(i.dataset.bytes || 0),
  natural: i.complete ? i.naturalWidth : 0, alt: i.alt,
})));

// Scrolls each chart into view in turn (only charts on screen load) and
// waits until it shows a decoded image whose API URL contains `want` (one
// string for all five, or one per chart: "" for any) and, with `not`, does
// not contain it. A chart that does not get there within 15 s fails the
// test with the reason.
const CHARTS = 5;
async function allChartsDecoded(page, label, want = "", not = "") {
  const figures = await page.$$(".chart");
  const wants = Array.isArray(want) ? want : figures.map(() => want);
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
  check(got.length === CHARTS && got.every((c, i) => c.natural > 0 && c.src.includes(wants[i])),
    `${label}: the ${CHARTS} charts decode (${got.map((c) => c.natural).join(", ")} px wide)`);
  return got;
}

// The accuracy and anomalies panels as the API answers them now: a
// sentence each, the accuracy chart with its alt text, and either the
// scores by lead time or a sentence that there are none yet; the anomalies
// as a list (one row each, an arrow and a word for the direction) or a
// sentence. Asks the API itself what the panels should show.
async function closingTheLoop(page, label, channel = "", days = 0) {
  const ch = channel ? `&channel=${encodeURIComponent(channel)}` : "";
  const api = new URL("/api/ml-dashboard/", SITE);
  const accuracy = await (await fetch(new URL(`accuracy/data?metric=revenue&window=90${ch}`, api))).json();
  const anomalies = await (await fetch(new URL(`anomalies/data?${days ? `days=${days}` : ""}${ch}`, api))).json();
  const rows = accuracy.accuracy.filter((r) => r.channel === (channel || "all"));
  const scored = rows.some((r) => r.n > 0);
  await page.waitForFunction(() => document.querySelector("#accuracy-summary").textContent
    && document.querySelector("#anomalies-summary").textContent, null, { timeout: 10000 });
  const headings = await page.$$eval("#accuracy h2, #anomalies h2", (hs) => hs.map((h) => h.textContent));
  check(headings.join() === "Forecast accuracy,Anomalies", `${label}: the accuracy and anomalies panels have headings`);
  const summary = (await page.textContent("#accuracy-summary")).trim();
  const shown = await page.$$eval("#accuracy tbody tr", (rs) => rs.length);
  if (scored) {
    check(/MASE of/.test(summary) && shown === rows.length,
      `${label}: accuracy: "${summary.slice(0, 80)}…" and a table of ${shown} lead times`);
  } else {
    check(/scored yet|nothing to score/.test(summary) && shown === 0
      && await page.isVisible("#accuracy .empty-note"), `${label}: accuracy: no scores yet, said in words ("${summary}")`);
  }
  const alt = await page.$eval("#accuracy .chart img", (i) => i.alt);
  check(alt && !/loading/.test(alt) && /accuracy|MASE/.test(alt), `${label}: the accuracy chart's alt text: "${alt}"`);
  const said = (await page.textContent("#anomalies-summary")).trim();
  const listed = await page.$$eval("#anomalies tbody tr", (rs) => rs.map((r) => r.cells[3].textContent));
  const list = anomalies.anomalies;
  if (list.length) {
    check(listed.length === list.length && listed.every((t) => /^[↑↓] (above|below) band$/.test(t))
      && said.startsWith(`${list.length} anomal`), `${label}: anomalies: "${said}", ${listed.length} listed`);
  } else {
    check(listed.length === 0 && /^No anomalies/.test(said) && await page.isVisible("#anomalies .empty-note"),
      `${label}: anomalies: none, said in words ("${said}")`);
  }
}

// Answers with scores and anomalies (from a replay of the online-ads
// dataset, cut short) for the page that checks how they are shown.
const SCORED_RUN = { id: 42, finished_at: "2026-11-28T04:23:08Z" };
const score = (channel, lead, n, mase, smape, bias, c80, c95) => ({ channel, metric: "revenue", lead_days: lead,
  window_days: 90, n, n_banded: n, mase, smape, bias, coverage_80: c80, coverage_95: c95 });
const SCORED_ACCURACY = {
  run: SCORED_RUN, data_end: "2020-06-30", about: "…",
  accuracy: [
    score("abc", 1, 41, 1.557012744, 50.41, 0.33, 0.8292682927, 0.9268292683),
    score("def", 1, 41, 0.2339177339, 20.19, -3.41, 0.9756097561, 1),
    score("all", 1, 41, 0.2787190506, 14.95141459, 64.42426618, 0.9512195122, 1),
    score("all", 7, 35, 0.3306440023, 20.08358143, -1.479730843, 1, 1),
    score("all", 14, 28, 0.384638395, 28.80056412, 30.56206004, 1, 1),
    score("all", 28, 14, 0.4072806155, 36.04777026, 120.6252152, 1, 1),
  ],
};
const SCORED_ANOMALIES = {
  run: SCORED_RUN, data_end: "2020-06-30", about: "…", days: 30,
  anomalies: [
    { channel: "abc", metric: "revenue", day: "2020-06-30", direction: "up", actual: 14.4075, forecast: 6.4670185,
      lower_95: 3.143805779, upper_95: 9.79023122, z: 4.683136191, lead_days: 1, forecast_run_id: 41 },
    { channel: "abc", metric: "ctr", day: "2020-06-30", direction: "up", actual: 0.0088, forecast: 0.0057,
      lower_95: 0.0057, upper_95: 0.0057, z: null, lead_days: 1, forecast_run_id: 41 },
    { channel: "ghi", metric: "conversions", day: "2020-06-25", direction: "down", actual: 1884, forecast: 2338.646452,
      lower_95: 1893.013272, upper_95: 2784.279633, z: -1.999605755, lead_days: 1, forecast_run_id: 36 },
  ],
};

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
  const DASHBOARDS = "#roi-forecast, #roi-timeseries, #reach-ctr, #budget-recommendation";
  const rowCounts = await page.$$eval(`:is(${DASHBOARDS}) table`, (ts) => ts.map((t) => t.tBodies[0].rows.length));
  const captions = await page.$$eval(".panel table caption", (cs) => cs.map((c) => c.textContent));
  check(rowCounts.length === 4 && rowCounts.every((n) => n > 0), `four dashboard tables with rows (${rowCounts.join(", ")})`);
  check(captions.length >= 4 && captions.every((c) => c.length > 10), "every table has a caption");
  await closingTheLoop(page, "1440x900");
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

  // The accuracy panel's metric: its chart and table only, the default view
  // again for revenue.
  await page.selectOption("#accuracy-metric", "conversions");
  await allChartsDecoded(page, "accuracy metric=conversions", ["", "", "", "", "metric=conversions"]);
  await page.waitForFunction(() => /conversions/i.test(document.querySelector("#accuracy-summary").textContent),
    null, { timeout: 10000 });
  ok(`metric=conversions: "${(await page.textContent("#accuracy-summary")).trim().slice(0, 90)}…"`);
  await page.selectOption("#accuracy-metric", "revenue");
  const revenue = await allChartsDecoded(page, "accuracy metric=revenue", "", "metric=");
  check(revenue[4].src === first[4].src && /revenue/i.test(await page.textContent("#accuracy-summary")),
    "metric=revenue: the accuracy chart is the default view again");

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
  await closingTheLoop(page, `channel=${pick}`, pick);

  // Days: the time series tables get shorter.
  const before = await page.$eval("#roi-timeseries tbody", (b) => b.rows.length);
  await page.selectOption("#days", "7");
  await page.waitForFunction((n) => document.querySelector("#roi-timeseries tbody").rows.length < n, before, { timeout: 10000 });
  const after = await page.$eval("#roi-timeseries tbody", (b) => b.rows.length);
  check(after < before, `days=7: the ROI series table went from ${before} to ${after} rows`);
  const week = await allChartsDecoded(page, "days=7", ["days=7", "days=7", "days=7", "", ""]);
  check(week.slice(0, 3).every((c) => c.src.includes("days=7")) && !week[4].src.includes("days="),
    "days=7: the three time-based charts' URLs carry days=7 (the accuracy chart's does not)");
  await page.waitForFunction(() => /(last|the) 7 days/.test(document.querySelector("#anomalies").textContent),
    null, { timeout: 10000 });
  await closingTheLoop(page, "days=7", pick, 7);
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
  const budgetChart = (await allChartsDecoded(page, `total=${total}`, ["", "", "", `total=${total}`, ""]))[3];
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
  const emptyLoop = [await empty.textContent("#accuracy-summary"), await empty.textContent("#anomalies-summary")];
  check(emptyLoop.every((t) => /No ML run yet/.test(t)),
    `an empty store: the accuracy and anomalies panels say so ("${emptyLoop.join('", "')}")`);
  await empty.close();

  // Scores and anomalies (answers of a replay of the online-ads data; the
  // test stack's runs have scored nothing yet): a sentence, the table by
  // lead time, and the list with arrows in words.
  const scored = await context.newPage();
  watch(scored, "scored");
  await scored.route("**/api/ml-dashboard/accuracy/data*", (route) => route.fulfill({
    status: 200, contentType: "application/json", body: JSON.stringify(SCORED_ACCURACY) }));
  await scored.route("**/api/ml-dashboard/anomalies/data*", (route) => route.fulfill({
    status: 200, contentType: "application/json", body: JSON.stringify(SCORED_ANOMALIES) }));
  await scored.goto(SITE, { waitUntil: "load" });
  await scored.waitForFunction(() => Number(document.body.dataset.loaded || 0) >= 1, null, { timeout: 10000 });
  const summary = await scored.textContent("#accuracy-summary");
  check(/MASE of 0\.28 \(better than/.test(summary) && /95\.1% of actuals fell inside the 80% band/.test(summary)
    && /from 0\.23 \(def\) to 1\.56 \(abc\)/.test(summary), `scores: the sentence ("${summary.trim()}")`);
  const leads = await scored.$$eval("#accuracy tbody tr", (rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
  check(leads.length === 4 && leads[0][0] === "1 day ahead" && leads[0][2] === "0.28" && leads[0][5] === "95.1%"
    && leads[3][0] === "28 days ahead", `scores: the table by lead time (${leads.map((r) => r.join(" ")).join("; ")})`);
  const listed = await scored.$$eval("#anomalies tbody tr", (rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
  check(listed.length === 3 && listed[0][3] === "↑ above band" && listed[2][3] === "↓ below band"
    && listed[0][7] === "+4.7" && listed[1][7] === "–", `anomalies: the list (${listed.map((r) => r.join(" ")).join("; ")})`);
  const counted = await scored.textContent("#anomalies-summary");
  check(/^3 anomalies in the 30 days to 30 Jun 2020, 2 on the last day\.$/.test(counted.trim()),
    `anomalies: the sentence ("${counted.trim()}")`);
  await scored.close();

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
