// mldash dashboard page: the four dashboards of /api/ml-dashboard (chart and
// table each), the forecasts' accuracy (chart, sentence and table, by metric
// and window) and the latest anomalies (a list), the status line, a channel
// filter, a days selector, the budget's total, "Sync now" and a refresh
// every 30 minutes. Plain ES module, no build step; the site's CSP allows
// only our own script, styles and images (blob: included), so nothing here
// is inline.

const API = "/api/ml-dashboard";
const REFRESH_MS = 30 * 60 * 1000;
const RESIZE_DEBOUNCE_MS = 400;
const SYNC_POLL_MS = 3000;
const TOKEN_KEY = "mldash.api_token";

// The default chart (800x400, light, no filter) comes from the run's cache
// through nginx's micro-cache and is not rate-limited; any query draws on
// demand (5/s per client, burst 10). A panel that wants 640-880 pixels
// takes the default and lets the browser scale it (down by up to a fifth
// stays sharp; up by a tenth is barely soft).
const DEFAULT_W = 800;
const DEFAULT_H = 400;
const DEFAULT_MIN_W = 640;
const DEFAULT_MAX_W = 880;
const TALL_BELOW = 560; // CSS pixels: narrower panels get 5:4 charts
const TALL_RATIO = 0.8;
const SIZE_STEP = 50;
const NEAR_PX = 200; // charts this close to the screen count as visible // requested widths are rounded: fewer distinct draws
const LIMITS = { wmin: 200, wmax: 2400, hmin: 150, hmax: 1600 };

// Which query parameters each endpoint accepts (others are a 400). chart:
// null for a panel without one; chartDefaults: values the chart URL leaves
// out (its default view is the run's cached image); values: the panel's
// own values of shared parameters.
const PANELS = [
  { id: "roi-forecast", data: ["channel", "days"], chart: ["channel", "days"], render: renderRoiForecast },
  { id: "roi-timeseries", data: ["channel", "days"], chart: ["channel", "days"], render: renderRoiSeries },
  { id: "reach-ctr", data: ["channel", "days"], chart: ["channel", "days"], render: renderReach },
  {
    id: "budget-recommendation", data: ["channel", "total"],
    chart: ["channel", "total"], render: renderBudget,
  },
  {
    id: "accuracy", data: ["channel", "metric", "window"], chart: ["channel", "metric", "window"],
    chartDefaults: { metric: "revenue", window: "90" }, render: renderAccuracy,
  },
  { id: "anomalies", data: ["channel", "days"], chart: null, values: () => ({ days: anomalyDays() }), render: renderAnomalies },
];
const panelById = (id) => PANELS.find((p) => p.id === id);

// The anomalies of the days selector's last days: at most the 90 each run
// checks; 30 (the API's default) for "all stored".
const ANOMALY_DAYS_MAX = 90;
function anomalyDays() {
  return state.days ? String(Math.min(Number(state.days), ANOMALY_DAYS_MAX)) : "";
}

const state = {
  channel: "",
  days: "",
  total: "",          // "" = the current total (no re-optimisation)
  metric: "revenue",  // the accuracy panel's metric and window
  window: "90",
  accuracy: null,     // the accuracy answer shown: has anything been scored?
  anomalies: null,    // the anomalies answer shown
  channels: [],       // known channel names, from unfiltered answers
  dark: false,
  lastRun: null,      // id of the run the data came from
};

const $ = (sel, root = document) => root.querySelector(sel);
const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
state.dark = darkQuery.matches;

// --- formatting (the browser's locale) ----------------------------------------

const nf = {
  int: new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }),
  dec: new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }),
  one: new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
  pct: new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 }),
  pct0: new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0, signDisplay: "negative" }),
  pct2: new Intl.NumberFormat(undefined, { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  signedPct: new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" }),
  signedInt: new Intl.NumberFormat(undefined, { maximumFractionDigits: 0, signDisplay: "exceptZero" }),
  signedDec: new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" }),
};
const dayFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" });
const timeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

const isNum = (x) => typeof x === "number" && Number.isFinite(x);
const money = (x) => (isNum(x) ? (Math.abs(x) >= 100 ? nf.int.format(x) : nf.dec.format(x)) : "–");
const count = (x) => (isNum(x) ? nf.int.format(x) : "–");
const pct = (x) => (isNum(x) ? nf.pct.format(x) : "–");
const pctRange = (lo, hi) => {
  if (!isNum(lo) || !isNum(hi)) return "–";
  return nf.pct0.formatRange ? nf.pct0.formatRange(lo, hi) : `${nf.pct0.format(lo)} to ${nf.pct0.format(hi)}`;
};
const day = (s) => (s ? dayFmt.format(new Date(`${s}T00:00:00Z`)) : "–");
const when = (s) => (s ? timeFmt.format(new Date(s)) : "–");

// --- small DOM helpers ---------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// A cell is a string (text), or {text, num, title} (or {nodes, ...}
// instead of text); numbers align right.
function cell(tag, c) {
  if (typeof c === "string") return el(tag, { text: c });
  const props = c.nodes ? {} : { text: c.text };
  if (c.num) props.class = "num";
  if (c.title) props.title = c.title;
  return el(tag, props, ...(c.nodes || []));
}

/* Builds a <table> with its caption: head is a list of header cells, rows a
 * list of cell lists, foot an optional row. Returns the table (not attached). */
function table(caption, head, rows, foot) {
  const t = el("table", {}, el("caption", { text: caption }));
  const hr = el("tr");
  for (const h of head) {
    const th = cell("th", h);
    th.setAttribute("scope", "col");
    hr.append(th);
  }
  t.append(el("thead", {}, hr));
  const body = el("tbody");
  for (const r of rows) {
    const tr = el("tr");
    r.forEach((c, i) => {
      const td = cell(i === 0 ? "th" : "td", c);
      if (i === 0) td.setAttribute("scope", "row");
      tr.append(td);
    });
    body.append(tr);
  }
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: String(head.length), text: "No data." })));
  t.append(body);
  if (foot) {
    const tr = el("tr");
    foot.forEach((c, i) => tr.append(cell(i === 0 ? "th" : "td", c)));
    t.append(el("tfoot", {}, tr));
  }
  return t;
}

const num = (text) => ({ text, num: true });

function showMessage(text, kind = "bad") {
  const box = $("#message");
  box.textContent = text;
  box.className = `message ${kind}`;
  box.hidden = !text;
}

function query(names, extra = {}) {
  const q = new URLSearchParams();
  const values = {
    channel: state.channel, days: state.days, total: state.total, metric: state.metric, window: state.window, ...extra,
  };
  for (const name of names) if (values[name] !== "" && values[name] !== undefined) q.set(name, values[name]);
  return q;
}

// --- JSON ----------------------------------------------------------------------

// cache: "no-cache" makes the browser revalidate its stored copy: it sends
// If-None-Match and on 304 hands us the stored body, so unchanged answers are
// not downloaded again. The ETag (same origin: readable) tells us whether
// anything changed, so an unchanged answer is not rendered again either.
const seen = new Map(); // url -> etag of the last answer rendered

async function getJSON(url) {
  const res = await fetch(url, { cache: "no-cache", headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { res, body, etag: res.headers.get("ETag") };
}

function errorText(res, body) {
  const e = body && body.error;
  return `${res.status}${e ? ` ${e.code}: ${e.message}` : ""}`;
}

// --- charts --------------------------------------------------------------------

// Charts are fetched (cache: "no-cache") into a blob and shown through an
// object URL, rather than set as <img src>: fetch shows us the status (a 429
// with Retry-After is retried, a 400 names its parameter in the panel, where
// an <img> would only fail to load) and the ETag, so a chart the browser
// revalidated with a 304 is not decoded and swapped again. The browser's
// HTTP cache still does the conditional request itself.
class ChartSlot {
  constructor(panel, section) {
    this.panel = panel;
    this.figure = $("figure.chart", section);
    this.img = $("img", this.figure);
    this.note = $("p.note", section);
    this.stale = false;     // wants a (re)load when visible: set by refresh
    this.shownUrl = "";     // API URL of what the <img> shows
    this.requested = "";    // API URL of the latest load
    this.etag = "";
    this.objectUrl = "";
    this.loading = null;
    this.resizeTimer = 0;
    this.title = $("h2", section).textContent;
  }

  // The chart URL for the panel's current size, theme and filters.
  url() {
    const css = this.figure.clientWidth || DEFAULT_W;
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    // The charts' text scales with their height: a narrow panel (a phone)
    // gets a taller chart, or its labels would be a few pixels high.
    const tall = css < TALL_BELOW;
    let w = Math.round((css * dpr) / SIZE_STEP) * SIZE_STEP;
    w = Math.min(LIMITS.wmax, Math.max(LIMITS.wmin, w));
    const h = Math.min(LIMITS.hmax, Math.max(LIMITS.hmin, Math.round(w * (tall ? TALL_RATIO : 0.5))));
    const q = query(this.panel.chart);
    for (const [name, value] of Object.entries(this.panel.chartDefaults || {})) if (q.get(name) === value) q.delete(name);
    const plain = [...q.keys()].length === 0 && !state.dark;
    if (plain && !tall && w >= DEFAULT_MIN_W && w <= DEFAULT_MAX_W) return `${API}/${this.panel.id}/chart`;
    q.set("width", String(w));
    q.set("height", String(h));
    if (state.dark) q.set("theme", "dark");
    return `${API}/${this.panel.id}/chart?${q}`;
  }

  // Marks the chart out of date and loads it now if it is on screen (the
  // layout itself, not the observer's last report, which may predate the
  // tables pushing it down); otherwise the observer loads it later.
  invalidate() {
    this.stale = true;
    const r = this.figure.getBoundingClientRect();
    if (r.bottom > -NEAR_PX && r.top < window.innerHeight + NEAR_PX) this.load();
  }

  async load() {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.stale = false;
    this.requested = this.url();
    this.loading = this.fetchOnce(this.requested).finally(() => {
      this.loading = null;
      if (this.again) {
        this.again = false;
        this.load();
      }
    });
    return this.loading;
  }

  async fetchOnce(url) {
    this.figure.setAttribute("aria-busy", "true");
    try {
      let res;
      for (let attempt = 0; ; attempt++) {
        res = await fetch(url, { cache: "no-cache" });
        if (res.status !== 429 || attempt >= 4) break;
        const wait = Number(res.headers.get("Retry-After")) || 1;
        await new Promise((ok) => setTimeout(ok, wait * 1000 + Math.random() * 500));
      }
      if (!res.ok) {
        let body = null;
        try { body = await res.json(); } catch { /* not JSON */ }
        this.setNote(`Chart unavailable: ${errorText(res, body)}`);
        return;
      }
      const etag = res.headers.get("ETag") || "";
      if (url === this.shownUrl && etag && etag === this.etag) return; // 304: unchanged
      const blob = await res.blob();
      const objectUrl = URL.createObjectURL(blob);
      const [w, h] = this.sizeOf(url);
      this.img.src = objectUrl;
      this.img.width = w;
      this.img.height = h;
      this.img.style.aspectRatio = `${w} / ${h}`;
      this.img.dataset.src = url;
      this.img.dataset.etag = etag;
      this.img.dataset.bytes = String(blob.size);
      try { await this.img.decode(); } catch { /* shown by the load event anyway */ }
      if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
      this.objectUrl = objectUrl;
      this.shownUrl = url;
      this.etag = etag;
      this.setNote("");
    } catch (e) {
      this.setNote(`Chart unavailable: ${e.message}`);
    } finally {
      this.figure.removeAttribute("aria-busy");
    }
  }

  sizeOf(url) {
    const q = new URL(url, location.href).searchParams;
    return [Number(q.get("width")) || DEFAULT_W, Number(q.get("height")) || DEFAULT_H];
  }

  setNote(text) {
    this.note.textContent = text;
    this.note.hidden = !text;
  }

  setAlt(text) {
    this.img.alt = text;
  }

  // Debounced: a window being dragged asks for one chart, at the end.
  resized() {
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => {
      if (this.url() !== this.requested) this.invalidate();
    }, RESIZE_DEBOUNCE_MS);
  }
}

const slots = new Map();

function watchCharts() {
  // Only what is on screen (or about to be) is drawn: the rest waits.
  const seenOnScreen = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const slot = slots.get(entry.target);
      if (entry.isIntersecting && slot.stale) slot.load();
    }
  }, { rootMargin: `${NEAR_PX}px 0px` });
  const sized = new ResizeObserver((entries) => {
    for (const entry of entries) slots.get(entry.target).resized();
  });
  for (const panel of PANELS.filter((p) => p.chart)) {
    const section = document.getElementById(panel.id);
    const slot = new ChartSlot(panel, section);
    panel.slot = slot;
    slots.set(slot.figure, slot);
    seenOnScreen.observe(slot.figure);
    sized.observe(slot.figure);
  }
}

// --- the four panels ---------------------------------------------------------------

function runText(run) {
  return run ? `Run #${run.id}, finished ${when(run.finished_at)}.` : "No ML run yet.";
}

function daysText() {
  return state.days ? `${state.days} days` : "all stored days";
}

function channelText() {
  return state.channel || "all channels";
}

function renderRoiForecast(section, body) {
  const rows = (body.channels || []).map((c) => [
    c.channel,
    num(c.predicted_roi === null ? "no revenue" : pct(c.predicted_roi)),
    num(pctRange(c.roi_lower_80, c.roi_upper_80)),
    num(pctRange(c.roi_lower_95, c.roi_upper_95)),
    num(money(c.predicted_spend)),
    num(money(c.predicted_revenue)),
    {
      text: isNum(c.backtest_smape) ? `${nf.one.format(c.backtest_smape)} / ${nf.one.format(c.baseline_smape)}` : "–",
      num: true, title: c.model ? `model ${c.model}` : "",
    },
  ]);
  const horizon = body.horizon_days;
  const caption = `Predicted ROI over the next ${horizon ? `${horizon} days` : "horizon"}, ${channelText()}`;
  $(".about", section).textContent = `${runText(body.run)} ROI = (revenue − spend) / spend over the forecast`
    + " horizon (the days selector shortens it), with 80% and 95% intervals; sMAPE: backtest error of the"
    + " model against seasonal naive.";
  const head = ["Channel", num("ROI"), num("80% interval"), num("95% interval"), num("Spend"),
    num("Revenue"), { text: "sMAPE", num: true, title: "backtest sMAPE of the model chosen / of seasonal naive (lower is better)" }];
  const best = (body.channels || []).filter((c) => c.channel !== "all" && isNum(c.predicted_roi))
    .sort((a, b) => b.predicted_roi - a.predicted_roi)[0];
  section.slotAlt = `Bar chart: ${caption}.` + (best ? ` Highest: ${best.channel} at ${pct(best.predicted_roi)}.` : "")
    + " The numbers are in the table below.";
  return table(caption, head, rows);
}

// The series shown in a time-series table: the filtered channel, else "all".
function pickSeries(body) {
  const series = body.series || [];
  return series.find((s) => s.channel === (state.channel || "all")) || series[0] || { channel: "", points: [] };
}

function renderRoiSeries(section, body) {
  const s = pickSeries(body);
  const rows = s.points.map((p) => [
    day(p.day), p.kind, num(money(p.spend)), num(money(p.revenue)), num(pct(p.roi)),
    num(pctRange(p.roi_lower_80, p.roi_upper_80)), num(isNum(p.conversions) ? nf.dec.format(p.conversions) : "–"),
  ]);
  const caption = `Daily spend, revenue, ROI and conversions, ${s.channel || channelText()}: actuals (${daysText()}) then forecasts`;
  $(".about", section).textContent = `${runText(body.run)} Actuals solid, forecasts dashed with 80% and 95% bands;`
    + " a missing value is unknown, not zero. A triangle at an actual marks an anomaly (outside the 95% band of"
    + " its forecast; see Anomalies).";
  const last = s.points.filter((p) => p.kind === "actual").at(-1);
  section.slotAlt = `Line charts of ROI (top) and conversions (bottom) for ${s.channel || channelText()}, `
    + `actuals then forecasts.` + (last ? ` Last actual day ${day(last.day)}: ROI ${pct(last.roi)}.` : "")
    + " The numbers are in the table below.";
  return table(caption, ["Day", "Kind", num("Spend"), num("Revenue"), num("ROI"), num("ROI 80%"), num("Conversions")], rows);
}

function renderReach(section, body) {
  const s = pickSeries(body);
  let upper = false;
  const rows = s.points.map((p) => {
    upper ||= !!p.reach_is_upper_bound;
    return [
      day(p.day), p.kind,
      num(isNum(p.reach) ? `${p.reach_is_upper_bound ? "≤ " : ""}${count(p.reach)}` : "–"),
      num(count(p.impressions)), num(count(p.clicks)),
      num(isNum(p.ctr) ? nf.pct2.format(p.ctr) : "–"),
    ];
  });
  const caption = `Daily reach, impressions, clicks and CTR, ${s.channel || channelText()}: actuals (${daysText()}) then forecasts`;
  $(".about", section).textContent = `${runText(body.run)} CTR = clicks / impressions. A triangle at an actual`
    + " marks an anomaly (outside the 95% band of its forecast; see Anomalies)."
    + (upper ? " Reach marked ≤ is summed over campaigns, so it counts people more than once: an upper bound." : "");
  section.slotAlt = `Line charts of reach and click-through rate for ${s.channel || channelText()}, actuals then forecasts.`
    + " The numbers are in the table below.";
  return table(caption, ["Day", "Kind", num("Reach"), num("Impressions"), num("Clicks"), num("CTR")], rows);
}

function renderBudget(section, body) {
  const rows = (body.channels || []).map((c) => [
    c.channel, num(money(c.current_daily)), num(money(c.recommended_daily)),
    num(isNum(c.change_percent) ? nf.signedPct.format(c.change_percent / 100) : "–"),
    num(`${pct(c.expected_roi_current)} → ${pct(c.expected_roi)}`),
    num(pct(c.marginal_roi)), c.curve ? c.curve.confidence : "–",
  ]);
  const t = body.totals;
  const foot = t ? ["Total", num(money(t.current_daily)), num(money(t.recommended_daily)),
    num(isNum(t.current_daily) && t.current_daily ? nf.signedPct.format(t.recommended_daily / t.current_daily - 1) : "–"),
    num(`${pct(t.expected_roi_current)} → ${pct(t.expected_roi)}`), "", ""] : null;
  const uplift = $("#uplift");
  if (t) {
    // How sure: the uplift's 80% interval, and a plain "not sure" when it
    // holds zero (or a moved channel's curve has no draws): the server's verdict.
    const sure = isNum(t.uplift_low80_daily) && isNum(t.uplift_high80_daily)
      ? ` (80% interval ${nf.signedInt.format(t.uplift_low80_daily)} to ${nf.signedInt.format(t.uplift_high80_daily)})` : "";
    uplift.textContent = `Expected revenue ${money(t.expected_revenue_daily)} a day against ${money(t.expected_revenue_current_daily)}`
      + ` now: ${nf.signedInt.format(t.uplift_daily)} a day${sure} (${nf.signedInt.format(t.uplift_daily * 30)} over 30 days),`
      + ` ROI ${pct(t.expected_roi_current)} → ${pct(t.expected_roi)}.`
      + (t.uplift_uncertain ? ` Not sure: ${t.verdict.replace(/^not sure: /, "")}.` : "");
    uplift.className = `uplift ${t.uplift_uncertain ? "info" : t.uplift_daily >= 0 ? "good" : "bad"}`;
    const input = $("#total");
    if (document.activeElement !== input && state.total === "") input.value = Math.round(t.current_daily);
    input.placeholder = nf.int.format(t.current_daily);
    // The totals the bounds allow (every channel's, so only unfiltered):
    // the browser refuses others before the server would answer 400.
    const all = body.channels || [];
    if (!state.channel && all.length && all.every((c) => isNum(c.lower_daily) && isNum(c.upper_daily))) {
      const lo = Math.ceil(all.reduce((sum, c) => sum + c.lower_daily, 0));
      const hi = Math.floor(all.reduce((sum, c) => sum + c.upper_daily, 0));
      input.min = String(lo);
      input.max = String(hi);
      input.title = `from ${nf.int.format(lo)} to ${nf.int.format(hi)} a day (each channel within its bounds)`;
    }
  } else {
    uplift.textContent = "";
  }
  $(".about", section).textContent = `${runText(body.run)} The split of a daily total over the channels, each within`
    + " 0.5×–2× of its current spend (the last 28 days), from fitted response curves."
    + (body.reoptimised ? " Re-optimised for the total you entered." : "");
  const caption = `Current and recommended daily budget${state.total ? ` for a total of ${money(Number(state.total))}` : ""}, `
    + channelText();
  section.slotAlt = "Grouped bar chart of current and recommended daily spend per channel, with the change in percent."
    + " The numbers are in the table below.";
  return table(caption, ["Channel", num("Current"), num("Recommended"), num("Change"), num("Expected ROI"),
    num("Marginal ROI"), "Confidence"], rows, foot);
}

// --- accuracy and anomalies ----------------------------------------------------------

const METRIC_NAMES = { spend: "spend", revenue: "revenue", roi: "ROI", conversions: "conversions", reach: "reach", ctr: "CTR" };
const metricName = (m) => METRIC_NAMES[m] || m;
const leadText = (n) => (n === 1 ? "next-day" : `${n}-days-ahead`);

// A value of a metric in its own unit.
function metricValue(metric, x, signed = false) {
  if (!isNum(x)) return "–";
  if (metric === "roi") return (signed ? nf.signedPct : nf.pct).format(x);
  if (metric === "ctr") return signed ? nf.signedPct.format(x) : nf.pct2.format(x);
  const text = Math.abs(x) >= 100 ? nf.int.format(x) : nf.dec.format(x);
  return signed && x > 0 ? `+${text}` : text;
}
const ratio = (x) => (isNum(x) ? nf.dec.format(x) : "–");

/* The accuracy answer's rows of the channel shown, metric and window, by
 * lead time. */
function accuracyRows(body) {
  const who = state.channel || "all";
  return (body.accuracy || []).filter((r) => r.channel === who && r.metric === state.metric
    && String(r.window_days) === state.window).sort((a, b) => a.lead_days - b.lead_days);
}

function renderAccuracy(section, body) {
  state.accuracy = body;
  const rows = accuracyRows(body);
  const scored = rows.filter((r) => r.n > 0);
  const who = state.channel || "all channels";
  const metric = metricName(state.metric);
  const span = `the last ${state.window} days${body.data_end ? ` (to ${day(body.data_end)})` : ""}`;
  $(".about", section).textContent = `${runText(body.run)} Each day's run's forecasts against the actuals that`
    + " came, by lead time. MASE: the error relative to “the same as a week before” (below 1 is better);"
    + " bias = mean of forecast − actual; in band: the share of actuals inside the 80% and 95% bands (near 80%"
    + " and 95% when the bands are right). Not filtered by days: pick the window.";
  const summary = $("#accuracy-summary");
  updateAnomalySummary();
  if (!body.run) {
    summary.textContent = "No ML run yet: nothing to score.";
    section.slotAlt = "Forecast accuracy chart: no ML run yet.";
    return el("p", { class: "empty-note", text: "No scores to list yet." });
  }
  if (!rows.length) {
    summary.textContent = `${state.channel ? `${who} reports no` : "No channel reports"} ${metric}: nothing to score.`;
    section.slotAlt = `Forecast accuracy chart of ${metric}: nothing scored.`;
    return el("p", { class: "empty-note", text: "No scores to list." });
  }
  if (!scored.length) {
    summary.textContent = `No ${metric} forecasts of ${who} scored yet: each day's run (the first ML run after`
      + " midnight) keeps its forecasts, and a forecast is scored once the day it was made for has data, so the"
      + " first scores come a day after the first day's run.";
    section.slotAlt = `Forecast accuracy chart of ${metric}: no forecasts scored yet.`;
    return el("p", { class: "empty-note", text: "No scores to list yet." });
  }
  const first = scored[0], last = scored.at(-1);
  let text = `Over ${span}, the ${leadText(first.lead_days)} ${metric} forecasts of ${who} had a MASE of`
    + ` ${ratio(first.mase)} (${first.mase < 1 ? "better" : "no better"} than “the same as a week before”)`
    + (isNum(first.smape) ? `, sMAPE ${nf.one.format(first.smape)}%` : "") + "; "
    + (isNum(first.coverage_80) ? `${pct(first.coverage_80)} of actuals fell inside the 80% band and`
      + ` ${pct(first.coverage_95)} inside the 95% band.` : "no bands to check.");
  if (last !== first) text += ` ${last.lead_days} days ahead: MASE ${ratio(last.mase)}.`;
  if (!state.channel) {
    // The spread over the channels at the same lead (the chart draws them).
    const channels = (body.accuracy || []).filter((r) => r.channel !== "all" && r.metric === state.metric
      && String(r.window_days) === state.window && r.lead_days === first.lead_days && r.n > 0 && isNum(r.mase))
      .sort((a, b) => a.mase - b.mase);
    if (channels.length >= 2) {
      text += ` By channel, ${leadText(first.lead_days)} MASE runs from ${ratio(channels[0].mase)}`
        + ` (${channels[0].channel}) to ${ratio(channels.at(-1).mase)} (${channels.at(-1).channel}).`;
    }
  }
  summary.textContent = text;
  section.slotAlt = `Line chart of the ${metric} forecasts' error (MASE) by lead time, `
    + (state.channel ? `of ${who}` : "a line per channel with the total thick")
    + `, and the band coverage of ${who} against the nominal 80% and 95%, over ${span}.`
    + ` The numbers of ${who} are in the table below.`;
  const cover = (x) => (isNum(x) ? pct(x) : "–");
  const tableRows = rows.map((r) => [
    `${r.lead_days} ${r.lead_days === 1 ? "day" : "days"} ahead`,
    num(count(r.n)), num(ratio(r.mase)),
    num(isNum(r.smape) ? `${nf.one.format(r.smape)}%` : "–"),
    num(metricValue(state.metric, r.bias, true)),
    num(cover(r.coverage_80)), num(cover(r.coverage_95)),
  ]);
  const caption = `${metric[0].toUpperCase()}${metric.slice(1)} forecasts of ${who} scored over ${span}, by lead time`;
  return table(caption, ["Lead time", { text: "Scored", num: true, title: "forecasts scored (their day has data)" },
    { text: "MASE", num: true, title: "mean absolute error over that of “the same as a week before”: below 1 is better" },
    { text: "sMAPE", num: true, title: "symmetric mean absolute percentage error" },
    { text: "Bias", num: true, title: "mean of forecast − actual: positive when the forecasts were too high" },
    { text: "In 80% band", num: true, title: "share of actuals inside the 80% band (nominal 80%)" },
    { text: "In 95% band", num: true, title: "share of actuals inside the 95% band (nominal 95%)" }], tableRows);
}

/* The sentence over the anomalies list: from the anomalies answer, and
 * "nothing checked yet" when the accuracy answer has no scores (either
 * answer may arrive first: both renderers call this). */
function updateAnomalySummary() {
  const body = state.anomalies;
  const box = $("#anomalies-summary");
  if (!body) return;
  if (!body.run) {
    box.textContent = "No ML run yet: no forecasts to check.";
    return;
  }
  const list = body.anomalies || [];
  const span = `the ${body.days || 30} days${body.data_end ? ` to ${day(body.data_end)}` : ""}`;
  const who = state.channel ? ` of ${state.channel}` : "";
  if (!list.length) {
    const scored = state.accuracy && (state.accuracy.accuracy || []).some((r) => r.n > 0);
    box.textContent = state.accuracy && state.accuracy.run && !scored
      ? `No anomalies${who} in ${span}: no forecast has been checked against its day yet (the first checks come`
        + " a day after the first day's run)."
      : `No anomalies${who} in ${span}: every actual checked fell inside the 95% band of its forecast.`;
    return;
  }
  const lastDay = list.filter((a) => a.day === body.data_end).length;
  box.textContent = `${list.length} ${list.length === 1 ? "anomaly" : "anomalies"}${who} in ${span}`
    + (body.data_end ? `, ${lastDay} on the last day` : "") + ".";
}

function renderAnomalies(section, body) {
  state.anomalies = body;
  $(".about", section).textContent = `${runText(body.run)} Days whose actual fell outside the 95% band of the`
    + " forecast made for them (normally the day before), newest first; z: standard deviations from the"
    + " forecast. The ROI and reach charts mark them with triangles. Days: up to 90 (30 for all stored).";
  updateAnomalySummary();
  const list = body.anomalies || [];
  if (!list.length) return el("p", { class: "empty-note", text: "No anomalies to list." });
  const rows = list.map((a) => {
    const up = a.direction === "up";
    return [
      day(a.day), a.channel, metricName(a.metric),
      { nodes: [el("span", { "aria-hidden": "true", text: up ? "↑ " : "↓ " }), up ? "above band" : "below band"],
        title: `${up ? "above" : "below"} the 95% band` },
      num(metricValue(a.metric, a.actual)), num(metricValue(a.metric, a.forecast)),
      num(`${metricValue(a.metric, a.lower_95)} to ${metricValue(a.metric, a.upper_95)}`),
      num(isNum(a.z) ? nf.signedDec.format(a.z) : "–"),
    ];
  });
  const caption = `Anomalies${state.channel ? ` of ${state.channel}` : ""} in the last ${body.days || 30} days,`
    + " newest first";
  return table(caption, ["Day", "Channel", "Metric", "Direction", num("Actual"), num("Forecast"), num("95% band"),
    { text: "z", num: true, title: "(actual − forecast) in standard deviations of the forecast" }], rows);
}

/* Loads one panel's data and renders it, unless its answer is unchanged.
 * Returns the body (or null on an error, shown in the panel). */
async function loadPanel(panel, force) {
  const section = document.getElementById(panel.id);
  const q = query(panel.data, panel.values ? panel.values() : {});
  const url = `${API}/${panel.id}/data${[...q.keys()].length ? `?${q}` : ""}`;
  const wrap = $(".table-wrap", section);
  // Only the latest request of a panel may render: an older answer arriving
  // last (two quick totals) must not overwrite a newer one.
  const ticket = (panel.ticket = (panel.ticket || 0) + 1);
  const fail = (text) => {
    seen.delete(url); // the next answer renders, even if unchanged
    wrap.replaceChildren(el("p", { class: "bad", text }));
    return null;
  };
  let got;
  try {
    got = await getJSON(url);
  } catch (e) {
    return ticket === panel.ticket ? fail(`Cannot reach the API: ${e.message}`) : null;
  }
  if (ticket !== panel.ticket) return null;
  const { res, body, etag } = got;
  if (res.ok && !body) return fail("Cannot show the data: the answer is not JSON");
  if (!res.ok) {
    const msg = errorText(res, body);
    if (panel.id === "budget-recommendation" && body && body.error && body.error.code === "infeasible") {
      $("#uplift").textContent = `That total cannot be split: ${body.error.message}`;
      $("#uplift").className = "uplift bad";
      return null;
    }
    return fail(`Cannot load the data: ${msg}`);
  }
  if (!force && etag && seen.get(url) === etag && wrap.firstChild) return body;
  try {
    wrap.replaceChildren(panel.render(section, body));
  } catch (e) {
    return fail(`Cannot show the data: ${e.message}`);
  }
  seen.set(url, etag);
  if (section.slotAlt && panel.slot) panel.slot.setAlt(section.slotAlt);
  return body;
}

// Channel names for the filter, from the unfiltered ROI forecast.
function learnChannels(body) {
  if (!body || state.channel) return;
  const names = (body.channels || []).map((c) => c.channel).filter((c) => c !== "all");
  if (names.join() === state.channels.join()) return;
  state.channels = names;
  const select = $("#channel");
  select.replaceChildren(el("option", { value: "", text: "All channels" }),
    ...names.map((n) => el("option", { value: n, text: n })));
  select.value = state.channel;
}

function showEmpty(bodies) {
  const empty = bodies.find((b) => b && b.run === null);
  $("#empty").hidden = !empty;
  if (empty) {
    $("#empty-hint").textContent = empty.hint || "No ML run yet.";
    $(".origin").textContent = location.origin;
  }
}

// --- status -------------------------------------------------------------------

function jobText(name, job) {
  if (!job) return el("span", { text: `${name}: unknown` });
  const last = job.last_run;
  const parts = [];
  let cls = "";
  if (!last) parts.push("never run");
  else if (last.status === "running") parts.push(`run #${last.id} running since ${when(last.started_at)}`);
  else {
    cls = last.status === "succeeded" ? "good" : "bad";
    parts.push(`last run #${last.id} ${last.status} ${when(last.finished_at || last.started_at)} (${last.trigger})`);
    if (last.error) parts.push(`error: ${last.error}`);
  }
  parts.push(`next ${when(job.next_run)}`);
  const span = el("span", { class: `job ${cls}`, text: `${name}: ${parts.join(", ")}` });
  if (last) span.dataset.runId = String(last.id);
  span.dataset.status = last ? last.status : "never";
  return span;
}

async function loadStatus() {
  const box = $("#status");
  try {
    const { res, body } = await getJSON(`${API}/status`);
    if (!res.ok || !body) {
      box.className = "status bad";
      box.textContent = `Status: ${errorText(res, body)}`;
      return null;
    }
    const jobs = body.jobs || {};
    const db = body.database && body.database.reachable;
    box.className = "status";
    box.replaceChildren(
      el("span", { id: "status-ml" }, jobText("ML sync", jobs.ml_sync)),
      el("span", { id: "status-campaigns" }, jobText("Campaign sync", jobs.campaign_sync)),
      el("span", { class: db ? "" : "bad", text: db ? `mldash ${body.version}` : "database unreachable" }),
    );
    return body;
  } catch (e) {
    box.className = "status bad";
    box.textContent = `Cannot reach the API: ${e.message}`;
    return null;
  }
}

// --- refresh --------------------------------------------------------------------

let refreshing = null;
let queued = null; // a refresh asked for while one runs: { force }

/* Reloads the status, the six panels' data and the visible charts (the others
 * when they scroll into view). force re-renders unchanged answers too (a
 * filter changed). Asked while one runs, it runs again after that one, with
 * the state as it is then (a filter changed meanwhile is not lost). */
async function refresh(force = false) {
  if (refreshing) {
    queued = { force: force || (queued ? queued.force : false) };
    return refreshing.then(() => (refreshing || Promise.resolve()));
  }
  const button = $("#refresh");
  button.disabled = true;
  refreshing = (async () => {
    const [, ...bodies] = await Promise.all([loadStatus(), ...PANELS.map((p) => loadPanel(p, force))]);
    learnChannels(bodies[0]);
    showEmpty(bodies);
    const withRun = bodies.find((b) => b && b.run);
    state.lastRun = withRun ? withRun.run.id : null;
    document.body.dataset.run = String(state.lastRun);
    // Every chart is revalidated (visible ones now, the others when they
    // scroll into view): a 304 keeps the image shown.
    for (const panel of PANELS) panel.slot?.invalidate();
    $("#refreshed").textContent = `last refreshed ${timeFmt.format(new Date())}.`;
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
  })().catch((e) => {
    showMessage(`Cannot refresh: ${e.message}`);
  }).finally(() => {
    refreshing = null;
    button.disabled = false;
    if (queued) {
      const again = queued;
      queued = null;
      refresh(again.force);
    }
  });
  return refreshing;
}

// --- sync now --------------------------------------------------------------------

function askToken() {
  const form = $("#token-form");
  form.hidden = false;
  $("#token").focus();
}

const SYNC_WAIT_MS = 10 * 60 * 1000;

/* Waits until the running sync has ended: runId when the 409 named one,
 * else the first run after before (the last run seen before asking). Null
 * when none ended within SYNC_WAIT_MS. */
async function waitForRun(runId, before) {
  const deadline = Date.now() + SYNC_WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((ok) => setTimeout(ok, SYNC_POLL_MS));
    const body = await loadStatus();
    const last = body && body.jobs && body.jobs.ml_sync && body.jobs.ml_sync.last_run;
    if (last && last.status !== "running" && (runId ? last.id >= runId : last.id > before)) return last;
  }
  return null;
}

function lastMlRunId() {
  const job = $("#status-ml .job");
  return job ? Number(job.dataset.runId || 0) : 0;
}

async function syncNow() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) {
    askToken();
    return;
  }
  const button = $("#sync");
  const before = lastMlRunId();
  button.disabled = true;
  button.textContent = "Syncing…";
  showMessage("ML sync running…", "info");
  try {
    const res = await fetch(`${API}/sync-now`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    let body = null;
    try { body = await res.json(); } catch { /* not JSON */ }
    if (res.ok) {
      showMessage(`ML sync run #${body.run_id} ${body.status} in ${nf.dec.format(body.seconds)} s.`, "good");
      await refresh();
    } else if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showMessage("The token was refused (401): enter it again.");
      askToken();
    } else if (res.status === 403) {
      showMessage(`Sync refused (403): ${body && body.error ? body.error.message : "writes are disabled"}.`);
    } else if (res.status === 409) {
      const id = body && body.error && body.error.run_id;
      showMessage(`A sync is already running${id ? ` (run #${id})` : ""}: the page refreshes when it ends.`, "info");
      const last = await waitForRun(id || 0, before);
      if (last) showMessage(`ML sync run #${last.id} ${last.status}.`, last.status === "succeeded" ? "good" : "bad");
      else showMessage("The running sync has not ended after 10 minutes; see the status line.");
      await refresh();
    } else {
      showMessage(`Sync failed: ${errorText(res, body)}`);
      await loadStatus();
    }
  } catch (e) {
    showMessage(`Sync failed: ${e.message}`);
  } finally {
    button.disabled = false;
    button.textContent = "Sync now";
  }
}

// --- wiring -----------------------------------------------------------------------

function wire() {
  $("#channel").addEventListener("change", (e) => {
    state.channel = e.target.value;
    refresh(true);
  });
  $("#days").addEventListener("change", (e) => {
    state.days = e.target.value;
    refresh(true);
  });
  $("#refresh").addEventListener("click", () => refresh());
  $("#sync").addEventListener("click", syncNow);
  $("#token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const value = $("#token").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $("#token").value = "";
    $("#token-form").hidden = true;
    syncNow();
  });
  $("#token-cancel").addEventListener("click", () => {
    $("#token-form").hidden = true;
  });
  $("#budget-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("#total");
    state.total = input.value === "" ? "" : String(Number(input.value));
    const budget = PANELS[3];
    loadPanel(budget, true).then(() => budget.slot.invalidate(), (err) => showMessage(err.message));
  });
  // The accuracy panel's metric and window: its table and chart only.
  for (const [id, key] of [["#accuracy-metric", "metric"], ["#accuracy-window", "window"]]) {
    $(id).addEventListener("change", (e) => {
      state[key] = e.target.value;
      const accuracy = panelById("accuracy");
      loadPanel(accuracy, true).then(() => accuracy.slot.invalidate(), (err) => showMessage(err.message));
    });
  }
  $("#total-reset").addEventListener("click", () => {
    state.total = "";
    $("#total").value = "";
    const budget = PANELS[3];
    loadPanel(budget, true).then(() => budget.slot.invalidate(), (err) => showMessage(err.message));
  });
  darkQuery.addEventListener("change", (e) => {
    state.dark = e.matches;
    for (const panel of PANELS) panel.slot?.invalidate();
  });
  setInterval(() => refresh(), REFRESH_MS);
}

watchCharts();
wire();
refresh();
