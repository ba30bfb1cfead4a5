// Gray Zone team page: shows the team's own view and edits its orders. The server keeps the
// draft, so a reload or a dropped connection loses nothing. Everything is built with
// textContent (scenario text is never parsed as HTML).
"use strict";

const $ = (id) => document.getElementById(id);
let code = "";
let seat = null;       // last state from the server
let view = null;       // the team's view
let viewText = "";     // its JSON, to redraw only on change
let draft = null;      // the draft shown (the server's, or an edit on its way)
let editing = 0;       // edits in flight
let rationaleTimer = null;

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

function normalise(c) { return (c || "").toUpperCase().replace(/[^A-Z0-9]/g, "").slice(0, 6); }

async function api(method, path, body) {
  const opts = { method, headers: { "Authorization": "Bearer " + code } };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  let data = null;
  try { data = await r.json(); } catch (_) { data = null; }
  return { status: r.status, data };
}

function showJoin(message) {
  $("game").hidden = true;
  $("join").hidden = false;
  $("join-error").textContent = message || "";
  $("team-name").textContent = "Gray Zone";
  $("turn").textContent = "";
  $("clock").textContent = "";
}

function join(c) {
  code = normalise(c);
  if (code.length !== 6) { showJoin("A join code has six letters and digits."); return; }
  try { localStorage.setItem("grayzone-code", code); } catch (_) {}
  if (location.hash !== "#" + code) history.replaceState(null, "", "#" + code);
  poll();
}

async function poll() {
  if (!code) return;
  let r;
  try { r = await api("GET", "/api/state"); }
  catch (_) { setStatus("Connection lost — reconnecting… your draft is kept by the game.", "closed"); return; }
  if (r.status === 401) {
    try { localStorage.removeItem("grayzone-code"); } catch (_) {}
    code = "";
    showJoin(r.data && r.data.error);
    return;
  }
  if (r.status !== 200 || !r.data) { setStatus((r.data && r.data.error) || "The game did not answer.", "closed"); return; }
  apply(r.data);
}

function apply(data) {
  const turnChanged = !seat || seat.turn !== data.seat.turn;
  seat = data.seat;
  $("join").hidden = true;
  $("game").hidden = false;
  $("team-name").textContent = seat.name;
  $("turn").textContent = "· turn " + seat.turn;
  const text = JSON.stringify(data.view);
  if (text !== viewText) { viewText = text; view = data.view; renderView(); }
  if (editing === 0 || turnChanged) {
    draft = seat.draft;
    if (document.activeElement !== $("rationale") || turnChanged) $("rationale").value = draft.rationale;
  }
  renderDraft();
  renderClock();
  if (!seat.open) setStatus("Orders are closed. " + seat.closed_reason, "closed");
  else if (seat.confirmed) setStatus("Confirmed. The projector shows that your team is ready; you can still change your orders until the turn is resolved.", "ok");
  else setStatus("Give your orders and confirm them before the clock runs out. Nothing here is shown on the projector.", "");
}

function setStatus(text, cls) { const s = $("status"); s.textContent = text; s.className = "status " + (cls || ""); }

function renderClock() {
  const c = $("clock");
  const s = seat.clock_seconds, b = seat.budget_seconds;
  const mmss = (t) => Math.floor(t / 60) + ":" + String(t % 60).padStart(2, "0");
  c.textContent = "◷ " + mmss(s) + " / " + mmss(b);
  c.className = s > b ? "late" : "";
}

function cardById(id) { return (view && view.cards || []).find((c) => c.id === id); }
function renderDraft() {
  const list = $("draft");
  list.replaceChildren();
  const locked = !seat.open || seat.confirmed;
  const max = view ? view.orders_per_turn : 0;
  $("order-count").textContent = "(" + draft.orders.length + " of " + max + ")";
  if (draft.orders.length === 0) list.append(el("li", { class: "muted", text: "No orders yet: pick a card below." }));
  draft.orders.forEach((o, i) => {
    const card = cardById(o.action);
    const label = (card ? card.name : o.action) + (o.target ? " → " + targetName(o.action, o.target) : "");
    list.append(el("li", {}, el("div", { class: "row" }, el("span", { text: label }),
      locked ? null : el("button", { text: "Remove", "aria-label": "remove " + label, onclick: () => edit((d) => d.orders.splice(i, 1)) }))));
  });
  $("rationale").disabled = locked;
  $("confirm").hidden = seat.confirmed;
  $("confirm").disabled = !seat.open;
  $("unconfirm").hidden = !seat.confirmed || !seat.open;
  document.querySelectorAll(".card .pick button, .proposal button").forEach((b) => { b.disabled = locked; });
  renderAnswers();
}

function targetName(actionId, targetIdValue) {
  const card = cardById(actionId);
  if (!card) return targetIdValue;
  const i = (card.target_ids || []).indexOf(targetIdValue);
  return i >= 0 ? card.targets[i][1] : targetIdValue;
}

function renderAnswers() {
  const box = $("answers");
  box.replaceChildren();
  const incoming = (view && view.incoming) || [];
  if (incoming.length === 0) return;
  box.append(el("h2", { text: "Proposals to answer" }));
  const locked = !seat.open || seat.confirmed;
  for (const p of incoming) {
    const answer = (draft.answers.find((a) => a[0] === p.id) || [])[1];
    const yes = el("button", { text: "Accept", class: answer === true ? "chosen" : "", onclick: () => edit((d) => setAnswer(d, p.id, true)) });
    const no = el("button", { text: "Refuse", class: answer === false ? "chosen" : "", onclick: () => edit((d) => setAnswer(d, p.id, false)) });
    yes.disabled = no.disabled = locked;
    box.append(el("div", { class: "box proposal" }, el("h3", { text: p.name + " — from " + p.from }),
      el("p", { text: p.text }), el("div", { class: "buttons" }, yes, no),
      el("p", { class: "muted", text: answer === undefined ? "Unanswered proposals are refused." : "" })));
  }
}

function setAnswer(d, id, yes) { d.answers = d.answers.filter((a) => a[0] !== id); d.answers.push([id, yes]); }

function renderView() {
  const cards = $("cards");
  cards.replaceChildren();
  for (const c of view.cards || []) {
    const facts = [c.domain, "rung " + c.rung_name, c.visibility, (c.cost.length ? "costs " + c.cost.join(", ") : "no cost"), "success: " + c.chance[1]];
    let select = null;
    if ((c.targets || []).length > 0) {
      select = el("select", { "aria-label": "target of " + c.name });
      c.targets.forEach((t, i) => select.append(el("option", { value: c.target_ids[i], text: t[1] + " (" + c.target_chances[i][1] + ")" })));
    }
    const add = el("button", { text: "Add", "aria-label": "add " + c.name, onclick: () => {
      edit((d) => d.orders.push({ action: c.id, target: select ? select.value : null }));
    } });
    const breaks = (c.breaks || []).map((b) => b[1]);
    cards.append(el("div", { class: "card", "data-action": c.id }, el("h3", { text: c.name }),
      el("p", { text: c.description }), el("p", { class: "facts", text: facts.join(" · ") }),
      breaks.length ? el("p", { class: "facts", text: "Breaks: " + breaks.join("; ") }) : null,
      el("div", { class: "pick" }, select, add)));
  }
  if ((view.cards || []).length === 0) cards.append(el("p", { class: "muted", text: "No card is playable this turn." }));
  const s = $("situation");
  s.replaceChildren();
  const card = view.card;
  const rung = el("div", { class: "box" }, el("h3", { text: "On the ladder" }),
    el("p", { text: "Your true rung: " + card.rung_name }),
    card.room_rung ? el("p", { class: "muted", text: "The room sees you at: " + card.room_rung[1] }) : null,
    el("p", { class: "muted", text: "Your rules of engagement allow up to: " + view.threshold_name }));
  s.append(rung);
  s.append(el("div", { class: "box" }, el("h3", { text: "Objectives" }), el("p", { text: view.objectives })));
  const attrs = el("div", { class: "box" }, el("h3", { text: "Attributes" }));
  for (const a of card.attrs) {
    const pct = a.max > a.min ? Math.round(100 * (a.value - a.min) / (a.max - a.min)) : 0;
    const fill = el("div", { class: "fill" }); fill.style.width = Math.max(0, Math.min(100, pct)) + "%";
    attrs.append(el("div", { class: "bar" }, el("span", { text: a.name + (a.public ? "" : " (secret)") }), el("div", { class: "track" }, fill), el("span", { text: String(a.value) })));
  }
  s.append(attrs);
  const list = (title, items) => { if (items.length) s.append(el("div", { class: "box" }, el("h3", { text: title }), el("ul", {}, ...items.map((t) => el("li", { text: t }))))); };
  list("Your red lines", card.red_lines.map((r) => r.name + (r.public ? "" : " (private)") + " — credibility " + r.credibility));
  list("Red lines you must answer", view.obligations.map((o) => o.red_line + ": answer " + o.culprit + " by turn " + o.due));
  list("Incidents against you", view.incidents.map((i) => "Turn " + i.turn + ": " + i.action + (i.suspect ? " — suspect " + i.suspect + " (" + i.level + ")" : "")));
  list("Your operations", view.operations.map((o) => "Turn " + o.turn + ": " + o.action + " against " + o.victim + " — " + (o.success ? "succeeded" : "failed") + ", " + o.status));
  list("Proposals", view.proposals);
  list("Sectors", view.sectors.map((x) => x[0] + ": resilience " + x[1] + ", damage " + x[2]));
  list("Swarms you sponsor", view.swarms.map((x) => x[0] + " — " + x[1]));
  list("Relations", card.relations);
}

async function edit(change) {
  if (!seat || !seat.open || seat.confirmed) return;
  const next = JSON.parse(JSON.stringify(draft));
  change(next);
  next.rationale = $("rationale").value;
  draft = next;
  renderDraft();
  await send("PUT", "/api/draft", next);
}

async function send(method, path, body) {
  editing++;
  let r;
  try { r = await api(method, path, body); }
  catch (_) { editing--; $("problems").textContent = "Not sent: the connection is down. Try again in a moment."; return false; }
  editing--;
  if (r.status === 200) { $("problems").textContent = ""; apply(r.data); return true; }
  const problems = (r.data && r.data.problems) || [];
  $("problems").textContent = ((r.data && r.data.error) || "Refused.") + (problems.length ? ": " + problems.join("; ") : "");
  if (editing === 0 && seat) { draft = seat.draft; renderDraft(); }
  return false;
}

function start() {
  $("join-form").addEventListener("submit", (e) => { e.preventDefault(); join($("code").value); });
  $("confirm").addEventListener("click", () => {
    clearTimeout(rationaleTimer);
    const d = JSON.parse(JSON.stringify(draft)); d.rationale = $("rationale").value;
    send("POST", "/api/confirm", d);
  });
  $("unconfirm").addEventListener("click", () => send("POST", "/api/unconfirm", undefined));
  $("rationale").addEventListener("input", () => {
    clearTimeout(rationaleTimer);
    rationaleTimer = setTimeout(() => edit(() => {}), 600);
  });
  let stored = "";
  try { stored = localStorage.getItem("grayzone-code") || ""; } catch (_) {}
  const fromHash = normalise(location.hash.slice(1));
  if (fromHash.length === 6) join(fromHash);
  else if (stored) join(stored);
  else showJoin("");
  setInterval(poll, 1000);
}

start();
