"use strict";
function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }
function row(table, key, value) {
  const tr = document.createElement("tr");
  tr.append(cell(key), cell(value));
  table.append(tr);
}
async function load() {
  const box = document.getElementById("status");
  try {
    const res = await fetch("/api/ml-dashboard/status", { cache: "no-cache" });
    const body = await res.json();
    box.textContent = "";
    if (!res.ok) {
      box.className = "bad";
      box.textContent = `${res.status}: ${body.error ? body.error.message : "error"}`;
      return;
    }
    const table = document.createElement("table");
    row(table, "version", body.version);
    row(table, "database", body.database.reachable ? "reachable" : "unreachable");
    if (body.database.server_version) row(table, "MariaDB", body.database.server_version);
    row(table, "schema version", `${body.database.schema_version} of ${body.database.schema_latest}`);
    for (const [name, count] of Object.entries(body.rows || {})) row(table, name, `${count} rows`);
    box.append(table);
  } catch (e) {
    box.className = "bad";
    box.textContent = `cannot reach the API: ${e}`;
  }
}
load();
setInterval(load, 30000);
