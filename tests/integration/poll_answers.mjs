// poll_answers.mjs BASE STOPFILE OUTDIR PATH...: one loop per PATH asking
// BASE/PATH back to back until STOPFILE exists; writes OUTDIR/poll.<i> with
// one "START_MS ANSWER" line per request, ANSWER being the run id of a JSON
// answer or the ETag of a chart. (curl processes start too slowly to poll
// at the resolution the one-second bound needs.)
import { existsSync, writeFileSync } from "node:fs";

const [base, stopFile, outDir, ...paths] = process.argv.slice(2);

async function answerOf(path) {
  const res = await fetch(`${base}/${path}`, { cache: "no-store" });
  if (path.endsWith("/chart")) {
    await res.arrayBuffer();
    return res.headers.get("etag") ?? "none";
  }
  const body = await res.json().catch(() => ({}));
  return String(body?.run?.id ?? "none");
}

async function poll(path, i) {
  const lines = [];
  while (!existsSync(stopFile)) {
    const start = Date.now();
    lines.push(`${start} ${await answerOf(path).catch(() => "error")}`);
  }
  writeFileSync(`${outDir}/poll.${i}`, lines.join("\n") + "\n");
}

await Promise.all(paths.map(poll));
