// The page of `cgan serve`: every picture comes from the server's API (README lists it); nothing is loaded
// from elsewhere. State lives in the controls; the URL hash (#label=7&seed=3) can preset them.
"use strict";

const $ = (id) => document.getElementById(id);
const colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];
let runs = [];
let pollTimer = null;
let lastGrid = Promise.resolve(true);

// The message line shows the latest problem still standing (view.js): each part of the page (grid, style, ...)
// clears its own when its next request succeeds.
const problems = new Problems();
function setProblem(source, text) { $("message").textContent = problems.set(source, text); }

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// fetch, waiting and trying again (twice at most) when the server answers 503 with Retry-After.
async function fetchRetrying(url) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url);
    const wait = Number(response.headers.get("Retry-After"));
    if (response.status !== 503 || !wait || attempt >= 2) return response;
    await sleep(Math.min(wait, 10) * 1000);
  }
}

async function errorOf(response) {
  try { return (await response.json()).error || response.statusText; } catch (e) { return response.statusText; }
}

async function fetchJSON(url, source) {
  const response = await fetchRetrying(url);
  if (!response.ok) {
    const text = await errorOf(response);
    if (source) setProblem(source, text);
    throw new Error(text);
  }
  if (source) setProblem(source, "");
  return response.json();
}

function runQuery() {
  const q = new URLSearchParams();
  if ($("run").value) q.set("run", $("run").value);
  if ($("checkpoint").value) q.set("checkpoint", $("checkpoint").value);
  if ($("truncation").value && !$("truncation").disabled) q.set("truncation", $("truncation").value);
  return q;
}

function api(path, params) {
  const q = runQuery();
  for (const [k, v] of Object.entries(params)) q.set(k, v);
  return `${path}?${q}`;
}

// Loads an image from the API into img (data-url keeps the request); a refusal (JSON error) is shown as the
// message line until the next picture of the same place loads. A slower, older answer never replaces a newer one.
async function setImage(img, url) {
  const ticket = (Number(img.dataset.ticket) || 0) + 1;
  img.dataset.ticket = String(ticket);
  img.dataset.url = url;
  const source = img.id;
  try {
    const response = await fetchRetrying(url);
    if (String(ticket) !== img.dataset.ticket) return false;
    if (!response.ok) {
      img.dataset.loaded = "false";
      setProblem(source, await errorOf(response));
      return false;
    }
    const picture = URL.createObjectURL(await response.blob());
    if (String(ticket) !== img.dataset.ticket) { URL.revokeObjectURL(picture); return false; }
    await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = reject; img.src = picture; });
    if (img.dataset.picture) URL.revokeObjectURL(img.dataset.picture);
    img.dataset.picture = picture;
    img.dataset.loaded = "true";
    setProblem(source, "");
    return true;
  } catch (e) {
    img.dataset.loaded = "false";
    setProblem(source, `cannot load ${url}`);
    return false;
  }
}

// One option per class: its number, and its name where it has one (an image folder's class folders).
function fillClasses(select, names, keep) {
  const previous = keep ? select.value : null;
  select.innerHTML = "";
  names.forEach((name, c) => select.add(new Option(name === String(c) ? name : `${c} ${name}`, String(c))));
  if (previous !== null && Number(previous) < names.length) select.value = previous;
}

// The run's class names, as /api/runs lists them; the digits where it does not.
function classNamesOf(run) { return (run && run.classNames) || [...Array(10).keys()].map(String); }

function currentRun() { return runs.find((r) => r.name === $("run").value); }

function fillCheckpoints() {
  const run = currentRun();
  const select = $("checkpoint");
  select.innerHTML = "";
  for (const kind of (run ? run.checkpoints : [])) select.add(new Option(kind, kind));
  if (run && run.checkpoints.includes("best")) select.value = "best";
  // Truncation is defined for normal noise only (the server refuses it for the others).
  $("truncation").disabled = !run || run.noise !== "normal";
  for (const id of ["label", "from-label", "to-label"]) fillClasses($(id), classNamesOf(run), true);
  const info = run ? `${run.architecture || "?"} on ${run.dataset || "?"}${run.image ? ` (${run.image})` : ""}, ${run.epochsDone ?? "?"} of ${run.epochs ?? "?"} epochs${run.training ? " (training)" : ""}` : "";
  $("run-info").textContent = info;
}

async function loadRuns() {
  runs = await fetchJSON("/api/runs", "runs");
  const select = $("run");
  const previous = select.value;
  select.innerHTML = "";
  for (const r of runs) select.add(new Option(r.name, r.name));
  if (runs.some((r) => r.name === previous)) select.value = previous;
  setProblem("no-runs", runs.length === 0 ? "No runs yet: train one with cgan train, then reload." : "");
  fillCheckpoints();
}

async function drawAll() {
  const run = currentRun();
  if (!run) return;
  if (run.checkpoints.length > 0) {
    await Promise.all([drawGrid(), drawStyle(), drawExplore(), drawStrip()]);
  }
  await drawTraining();
}

function drawGrid() {
  $("inspection").innerHTML = "";
  $("grid").dataset.label = $("label").value;
  lastGrid = setImage($("grid"), api("/api/generate", { label: $("label").value, count: $("count").value, seed: $("seed").value }));
  return lastGrid;
}

function drawStyle() { return setImage($("style-grid"), api("/api/style", { rows: $("style-rows").value, seed: $("seed").value })); }

function drawExplore() {
  return setImage($("explore-row"), api("/api/explore", { seed: $("seed").value, a: $("dir-a").value, b: $("dir-b").value, c: $("dir-c").value }));
}

function interpolationParams(format) {
  return { from: $("from-seed").value, to: $("to-seed").value, label: $("from-label").value, toLabel: $("to-label").value,
           steps: $("steps").value, format };
}

function drawStrip() {
  $("gif-link").href = api("/api/interpolate", interpolationParams("gif"));
  return setImage($("strip"), api("/api/interpolate", interpolationParams("png")));
}

// What the evaluation classifier is doing, from /api/status: ready, loading, or training (with time left).
async function classifierNote() {
  try {
    const status = await fetchJSON("/api/status");
    const run = currentRun();
    const c = status.classifiers.find((s) => s.dataset === (run && run.dataset)) || status.classifiers[0];
    if (!c || c.state === "ready") return "";
    let text = `classifier ${c.state}`;
    if (c.epoch != null && c.epochs != null) text += `: epoch ${c.epoch} of ${c.epochs}`;
    if (c.secondsLeft != null) text += `, about ${c.secondsLeft < 90 ? `${c.secondsLeft} s` : `${Math.round(c.secondsLeft / 60)} min`} left`;
    if (c.message) text += ` (${c.message})`;
    return text;
  } catch (e) { return ""; }
}

async function checkSamples() {
  const box = $("inspection");
  box.textContent = "checking…";
  try {
    const results = await fetchJSON(api("/api/inspect", { label: $("label").value, count: $("count").value, seed: $("seed").value }), "inspect");
    box.innerHTML = "";
    if (results.some((r) => r.confidence == null)) {
      const note = document.createElement("p");
      note.className = "hint";
      note.id = "classifier-note";
      note.textContent = (await classifierNote()) || "classifier loading";
      box.appendChild(note);
    }
    results.forEach((r, i) => {
      const div = document.createElement("div");
      const confidence = r.confidence == null ? "classifier loading" : `${(100 * r.confidence).toFixed(1)}% class ${r.label}`;
      div.className = "inspect" + ((r.confidence !== null && r.confidence < 0.5) || r.nearestDistance < 2 ? " warn" : "");
      div.innerHTML = `<div>#${i + 1}: ${confidence}</div><div>nearest training image (class ${r.nearestLabel}, distance ${r.nearestDistance.toFixed(2)}):</div>`;
      const img = document.createElement("img");
      img.src = api("/api/train-image", { index: r.nearestIndex });
      div.appendChild(img);
      box.appendChild(div);
    });
  } catch (e) {
    box.textContent = "";
    const note = await classifierNote();
    if (note) setProblem("inspect", `${e.message} — ${note}`);
  }
}

// A line chart of several series on a canvas; NaN and null points are skipped.
function chart(canvas, series) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, left = 48, bottom = h - 22;
  ctx.clearRect(0, 0, w, h);
  const points = series.flat().filter((p) => Number.isFinite(p[1]));
  if (points.length === 0) { ctx.fillText("nothing logged yet", w / 2 - 40, h / 2); return; }
  let [x0, x1] = [Math.min(...points.map((p) => p[0])), Math.max(...points.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...points.map((p) => p[1])), Math.max(...points.map((p) => p[1]))];
  if (x0 === x1) x1 = x0 + 1;
  if (y0 === y1) { y0 -= 0.5; y1 += 0.5; }
  const px = (x) => left + (x - x0) / (x1 - x0) * (w - left - 8), py = (y) => bottom - (y - y0) / (y1 - y0) * (bottom - 8);
  ctx.strokeStyle = "#999"; ctx.fillStyle = "#333"; ctx.font = "11px sans-serif";
  ctx.strokeRect(left, 8, w - left - 8, bottom - 8);
  for (let i = 0; i <= 4; i++) {
    const y = y0 + (y1 - y0) * i / 4;
    ctx.fillText(y.toPrecision(3), 2, py(y) + 4);
  }
  for (const tick of xTicks(x0, x1, left, w - 8)) {
    ctx.textAlign = tick.align;
    ctx.fillText(tick.value.toFixed(1), tick.x, h - 6);
  }
  ctx.textAlign = "left";
  series.forEach((s, k) => {
    ctx.strokeStyle = colors[k % colors.length]; ctx.lineWidth = 1.5; ctx.beginPath();
    let started = false;
    for (const [x, y] of s) {
      if (!Number.isFinite(y)) continue;
      if (started) ctx.lineTo(px(x), py(y)); else { ctx.moveTo(px(x), py(y)); started = true; }
    }
    ctx.stroke();
  });
}

function column(table, name) {
  const i = table.columns.indexOf(name);
  return i < 0 ? [] : table.rows.map((r) => r[i]);
}

async function drawTraining() {
  const run = currentRun();
  clearTimeout(pollTimer);
  if (!run || run.epochsDone === undefined) { $("training-status").textContent = "a checkpoint file: no training log"; return; }
  try {
    const m = await fetchJSON(`${runPath(run)}/metrics`, "training");
    const epochs = column(m.metrics, "epoch");
    chart($("loss-chart"), ["d_loss", "g_loss", "d_real", "d_fake"].map((n) => column(m.metrics, n).map((v, i) => [epochs[i], v])));
    const vEpochs = column(m.validation, "epoch");
    chart($("validation-chart"), [column(m.validation, "validation_ll").map((v, i) => [vEpochs[i], v])]);
    const training = m.epochsDone < (m.epochs ?? 0) && run.training;
    $("training-status").textContent = `${m.epochsDone} of ${m.epochs ?? "?"} epochs` + (training ? " — training: this view updates every 3 s" : "");
    $("latest-grid").parentElement.hidden = m.sampleGrids === 0;
    if (m.sampleGrids > 0) await setImage($("latest-grid"), `${runPath(run)}/grid.png?n=${m.sampleGrids}`);
    if (training) pollTimer = setTimeout(async () => { await loadRuns(); drawTraining(); }, 3000);
  } catch (e) { /* shown by fetchJSON */ }
}

// A run's API path: each segment of its name percent-encoded (names may hold spaces, %, + or any letter).
function runPath(run) { return `/api/runs/${run.name.split("/").map(encodeURIComponent).join("/")}`; }

async function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const [key, id] of [["run", "run"], ["checkpoint", "checkpoint"], ["truncation", "truncation"], ["label", "label"], ["seed", "seed"], ["count", "count"]]) {
    if (params.has(key)) {
      $(id).value = params.get(key);
      // As if the user had picked it: the same handlers run.
      $(id).dispatchEvent(new Event("change"));
    }
  }
  await lastGrid;
}

async function start() {
  for (const id of ["label", "from-label", "to-label"]) fillClasses($(id), classNamesOf(null));
  $("to-label").value = "8";
  try { await loadRuns(); } catch (e) { return; }
  $("run").addEventListener("change", () => { fillCheckpoints(); drawAll(); });
  $("checkpoint").addEventListener("change", drawAll);
  $("truncation").addEventListener("change", () => Promise.all([drawGrid(), drawStyle(), drawExplore(), drawStrip()]));
  $("label").addEventListener("change", drawGrid);
  $("count").addEventListener("change", drawGrid);
  $("seed").addEventListener("change", () => { drawGrid(); drawStyle(); drawExplore(); });
  $("reseed").addEventListener("click", () => { $("seed").value = Math.floor(Math.random() * 100000); $("seed").dispatchEvent(new Event("change")); });
  $("check").addEventListener("click", checkSamples);
  $("style-rows").addEventListener("change", drawStyle);
  for (const id of ["dir-a", "dir-b", "dir-c"]) $(id).addEventListener("input", drawExplore);
  for (const id of ["from-seed", "to-seed", "from-label", "to-label", "steps"]) $(id).addEventListener("change", drawStrip);
  await drawAll();
  await readHash();
  document.body.dataset.ready = "true";
}

start();
