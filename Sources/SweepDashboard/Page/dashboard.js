// nmsweep's live page: polls the coordinator's JSON API with fetch (no libraries, no CDN).
// A bearer token, when the coordinator needs one, comes in the address's fragment
// (the page's address followed by #token=SECRET: a fragment is never sent to the server nor
// logged) and is kept in this tab's sessionStorage.
"use strict";

const STATUS_MS = 1000;   // /api/status (progress, cells, workers, failures)
const EVENTS_MS = 2000;   // /api/events
const PLOTS_MS = 10000;   // /api/plots/*.svg

(function takeToken() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem("nmsweep-token", decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
})();

function headers() {
  const token = sessionStorage.getItem("nmsweep-token");
  return token ? { Authorization: "Bearer " + token } : {};
}

async function get(path, kind) {
  const response = await fetch(path, { headers: headers(), cache: "no-store" });
  if (!response.ok) {
    const text = await response.text();
    throw new Error(path + ": " + response.status + " " + text.trim());
  }
  return kind === "text" ? response.text() : response.json();
}

const $ = (id) => document.getElementById(id);

function setText(id, value) {
  const element = $(id);
  if (element.textContent !== String(value)) element.textContent = String(value);
}

function duration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return "–";
  const s = Math.round(seconds);
  if (s >= 3600) return Math.floor(s / 3600) + "h" + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m";
  if (s >= 60) return Math.floor(s / 60) + "m" + String(s % 60).padStart(2, "0") + "s";
  return s + "s";
}

function rate(value) {
  if (value === null || value === undefined) return "–";
  return value >= 10 ? value.toFixed(0) : value.toPrecision(2);
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function fillRows(bodyId, rows, makeRow) {
  const body = $(bodyId);
  const fresh = document.createDocumentFragment();
  for (const row of rows) fresh.appendChild(makeRow(row));
  body.replaceChildren(fresh);
}

let firstDone = null;
let polls = 0;

function showError(message) {
  const element = $("error");
  element.hidden = !message;
  element.textContent = message || "";
}

function renderStatus(s) {
  setText("sweep", "“" + s.sweep + "”");
  const state = $("state");
  state.textContent = s.state;
  state.className = "badge " + s.state;
  if (s.coordinator) {
    setText("coordinator", "coordinator pid " + s.coordinator.pid + " on " + s.coordinator.host +
      ", workers connect to " + s.coordinator.endpoint + " · " + s.coordinator.version);
  }
  const c = s.cells;
  setText("done", c.done);
  setText("total", c.total);
  setText("failed", c.failed);
  setText("rate", rate(s.progress.rate));
  setText("eta", c.done + c.failed >= c.total ? "0s" : duration(s.progress.eta_seconds));
  setText("elapsed", duration(s.progress.elapsed_seconds));
  $("bar-done").style.width = (c.total ? 100 * c.done / c.total : 0) + "%";
  $("bar-failed").style.width = (c.total ? 100 * c.failed / c.total : 0) + "%";
  for (const key of ["waiting", "queued", "leased", "committing", "done", "failed"]) setText("cells-" + key, c[key]);

  const connected = s.workers.filter((w) => w.state === "connected").length;
  setText("workers-count", connected + " connected" + (s.workers.length > connected ? ", " + (s.workers.length - connected) + " gone" : ""));
  fillRows("workers-body", s.workers, (w) => {
    const tr = document.createElement("tr");
    tr.dataset.worker = w.id;
    tr.className = w.state;
    tr.append(cell(w.id), cell(w.state, "state"), cell(w.host ?? "–"), cell(w.slots ?? "–"), cell(w.running),
      cell(w.results ?? "–"), cell(w.seconds_since_heartbeat === null ? "–" : w.seconds_since_heartbeat.toFixed(1) + " s ago"));
    return tr;
  });

  setText("failures-count", c.failed ? "(" + c.failed + ")" : "");
  fillRows("failures-body", s.failures, (f) => {
    const tr = document.createElement("tr");
    tr.append(cell((f.point ?? "cell") + " " + f.cell.slice(0, 12)), cell(f.attempts ?? "–"), cell(f.error, "error-text"));
    return tr;
  });

  if (firstDone === null) firstDone = c.done + c.failed;
  document.body.dataset.firstDone = firstDone;
  document.body.dataset.lastDone = c.done + c.failed;
  document.body.dataset.state = s.state;
  polls += 1;
  document.body.dataset.polls = polls;
  setText("updated", "Last update " + new Date().toLocaleTimeString() + ".");
}

function renderEvents(list) {
  fillRows("events-body", list.events, (e) => {
    const tr = document.createElement("tr");
    tr.dataset.event = e.kind;
    tr.append(cell(e.at.replace(/\.\d+/, "")), cell(e.kind), cell(e.message));
    return tr;
  });
}

async function pollStatus() {
  try {
    renderStatus(await get("/api/status"));
    showError("");
  } catch (error) {
    showError(String(error.message || error));
    $("state").textContent = "unreachable";
    $("state").className = "badge unreachable";
  }
  setTimeout(pollStatus, STATUS_MS);
}

async function pollEvents() {
  try { renderEvents(await get("/api/events?limit=15")); } catch (error) { /* the status poll shows errors */ }
  setTimeout(pollEvents, EVENTS_MS);
}

async function pollPlots() {
  for (const [id, path] of [["plot-accuracy", "/api/plots/accuracy.svg"], ["plot-spectrum", "/api/plots/spectrum.svg"]]) {
    try {
      const svg = await get(path, "text");
      const element = $(id);
      // Our own server's SVG (SVGPlot escapes every label); replaced only when it changed.
      if (svg.includes("<circle")) {
        if (element.dataset.svg !== svg) {
          element.innerHTML = svg;
          element.dataset.svg = svg;
          element.classList.remove("muted");
        }
      }
    } catch (error) { /* the status poll shows errors */ }
  }
  setTimeout(pollPlots, PLOTS_MS);
}

pollStatus();
pollEvents();
pollPlots();
