// Sightline teach: label recorded frames. Plain JavaScript, no framework.
// Boxes live in the photo's own pixels; the SVG over the photo has the photo's size as its
// viewBox, so a pointer's position maps to pixels by the ratio of the two sizes.
"use strict";

const $ = (selector) => document.querySelector(selector);
const SVG = "http://www.w3.org/2000/svg";
const svg = $("#boxes");
const img = $("#photo");

const state = {
  photos: [],      // {index, name, width, height, status}
  classes: [],
  model: null,
  current: -1,
  photo: null,     // the open photo: {index, name, width, height, status}
  boxes: [],       // {label, x, y, width, height, score, proposal}
  selected: -1,
  label: "",       // the label a new box gets
  drafts: new Map(), // photo index -> boxes edited and not saved yet
  drag: null,
  opening: 0,
};

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!response.ok) {
    throw new Error(data && data.error ? data.error.message : `${response.status} ${response.statusText}`);
  }
  return data;
}

function say(text, kind) {
  const message = $("#message");
  message.textContent = text;
  message.className = kind || "";
}

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : word.endsWith("x") ? "es" : "s"}`;

// ---- Photos and classes ----------------------------------------------------------------

async function start() {
  const s = await api("GET", "/api/state");
  state.photos = s.photos;
  state.model = s.model;
  state.output = s.output;
  setClasses(s.classes, s.classes[0]);
  renderList();
  const firstNew = s.photos.findIndex((p) => p.status === "new");
  await open(firstNew >= 0 ? firstNew : 0);
}

function setClasses(classes, selected) {
  state.classes = classes;
  const select = $("#label");
  select.replaceChildren(...classes.map((c) => new Option(c.replace(/_/g, " "), c, false, c === selected)));
  state.label = select.value;
}

function renderList() {
  const nav = $("#photos");
  nav.replaceChildren(...state.photos.map((p) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = p.name;
    b.title = p.name;
    b.dataset.index = p.index;
    b.className = [p.status, state.drafts.has(p.index) ? "edited" : "", p.index === state.current ? "current" : ""].join(" ").trim();
    b.addEventListener("click", () => open(p.index));
    return b;
  }));
  const done = state.photos.filter((p) => p.status !== "new").length;
  $("#summary").textContent = `${done} of ${plural(state.photos.length, "photo")} saved · ` +
    (state.model ? `proposals from ${state.model}` : "no model") + ` · saving to ${state.output}`;
  const current = nav.querySelector(".current");
  if (current) current.scrollIntoView({ block: "nearest", inline: "nearest" });
}

async function open(index) {
  if (index < 0 || index >= state.photos.length) return;
  const token = ++state.opening;
  svg.dataset.ready = "0";
  say(state.photos[index].status === "new" && state.model ? "Finding boxes…" : "");
  let photo;
  try {
    photo = await api("GET", `/api/photos/${index}`);
  } catch (e) {
    say(e.message, "error");
    return;
  }
  if (token !== state.opening) return;
  state.current = index;
  state.photo = photo;
  state.selected = -1;
  const draft = state.drafts.get(index);
  state.boxes = draft ? draft.map((b) => ({ ...b })) :
    photo.boxes.map((b) => ({ ...b, score: b.score ?? null, proposal: photo.status === "new" }));
  for (const b of state.boxes) ensureClass(b.label);
  svg.setAttribute("viewBox", `0 0 ${photo.width} ${photo.height}`);
  svg.dataset.photo = index;
  img.alt = photo.name;
  await new Promise((resolve) => {
    img.onload = resolve;
    img.onerror = resolve;
    img.src = `/api/photos/${index}/image`;
  });
  if (token !== state.opening) return;
  renderList();
  render();
  svg.dataset.ready = "1";
  if (photo.proposalError) say(photo.proposalError, "error");
  else if (photo.status === "new") say(state.boxes.length ? `${plural(state.boxes.length, "box")} proposed: fix them, then Save` : "No box proposed: draw them, or say Nothing here");
  else say(photo.status === "labelled" ? `Saved with ${plural(photo.boxes.length, "box")}` : "Saved as nothing here", "ok");
}

function ensureClass(label) {
  if (!state.classes.includes(label)) setClasses([...state.classes, label], state.label);
}

// ---- Drawing ---------------------------------------------------------------------------

// Screen pixels per photo pixel.
function scale() {
  const r = svg.getBoundingClientRect();
  return state.photo && r.width > 0 ? r.width / state.photo.width : 1;
}

function render() {
  const s = scale();
  const coarse = window.matchMedia("(pointer: coarse)").matches;
  const order = state.boxes.map((_, i) => i).filter((i) => i !== state.selected);
  if (state.selected >= 0) order.push(state.selected); // the picked box on top, easy to grab
  const nodes = [];
  for (const i of order) {
    const b = state.boxes[i];
    const rect = document.createElementNS(SVG, "rect");
    for (const [k, v] of Object.entries({ x: b.x, y: b.y, width: b.width, height: b.height })) rect.setAttribute(k, v);
    rect.setAttribute("class", "box" + (b.proposal ? " proposal" : "") + (i === state.selected ? " selected" : ""));
    rect.dataset.index = i;
    rect.dataset.label = b.label;
    const tag = document.createElementNS(SVG, "text");
    tag.setAttribute("class", "tag");
    tag.setAttribute("x", b.x + 3 / s);
    tag.setAttribute("y", b.y + 15 / s);
    tag.setAttribute("font-size", 13 / s);
    tag.setAttribute("stroke-width", 3 / s);
    tag.textContent = b.label.replace(/_/g, " ") + (b.proposal && b.score != null ? ` ${Math.round(b.score * 100)}%` : "");
    nodes.push(rect, tag);
  }
  if (state.selected >= 0) {
    const b = state.boxes[state.selected];
    const r = (coarse ? 11 : 6) / s;
    const corners = { nw: [b.x, b.y], ne: [b.x + b.width, b.y], sw: [b.x, b.y + b.height], se: [b.x + b.width, b.y + b.height] };
    for (const [corner, [cx, cy]] of Object.entries(corners)) {
      const h = document.createElementNS(SVG, "rect");
      h.setAttribute("class", `handle ${corner}`);
      h.setAttribute("x", cx - r);
      h.setAttribute("y", cy - r);
      h.setAttribute("width", 2 * r);
      h.setAttribute("height", 2 * r);
      h.dataset.corner = corner;
      nodes.push(h);
    }
  }
  svg.replaceChildren(...nodes);
  $("#delete").disabled = state.selected < 0;
}

function select(index) {
  state.selected = index;
  if (index >= 0) {
    const select = $("#label");
    ensureClass(state.boxes[index].label);
    select.value = state.boxes[index].label;
  }
  render();
}

// The box at `index` was changed by the wearer: it is theirs now, not the model's.
function edited(index) {
  if (index >= 0) {
    state.boxes[index].proposal = false;
    state.boxes[index].score = null;
  }
  state.drafts.set(state.current, state.boxes.map((b) => ({ ...b })));
  renderList();
}

// The pointer's position in photo pixels, inside the photo.
function point(e) {
  const r = svg.getBoundingClientRect();
  return {
    x: clamp(((e.clientX - r.left) / r.width) * state.photo.width, 0, state.photo.width),
    y: clamp(((e.clientY - r.top) / r.height) * state.photo.height, 0, state.photo.height),
  };
}

svg.addEventListener("pointerdown", (e) => {
  if (!state.photo || svg.dataset.ready !== "1" || (e.pointerType === "mouse" && e.button !== 0)) return;
  e.preventDefault();
  const p = point(e);
  const target = e.target;
  let drag;
  if (target.classList.contains("handle") && state.selected >= 0) {
    drag = { kind: "resize", index: state.selected, corner: target.dataset.corner, orig: { ...state.boxes[state.selected] } };
  } else if (target.classList.contains("box")) {
    const index = Number(target.dataset.index);
    select(index);
    drag = { kind: "move", index, orig: { ...state.boxes[index] } };
  } else {
    drag = { kind: "draw", index: -1 };
  }
  Object.assign(drag, { start: p, pointer: e.pointerId, screen: { x: e.clientX, y: e.clientY }, moved: false });
  state.drag = drag;
  svg.setPointerCapture(e.pointerId);
});

svg.addEventListener("pointermove", (e) => {
  const d = state.drag;
  if (!d || e.pointerId !== d.pointer) return;
  e.preventDefault();
  if (!d.moved && Math.hypot(e.clientX - d.screen.x, e.clientY - d.screen.y) < 3) return;
  d.moved = true;
  const p = point(e);
  const W = state.photo.width, H = state.photo.height;
  if (d.kind === "draw") {
    if (d.index < 0) {
      state.boxes.push({ label: state.label, x: p.x, y: p.y, width: 0, height: 0, score: null, proposal: false });
      d.index = state.boxes.length - 1;
      state.selected = d.index;
    }
    Object.assign(state.boxes[d.index], span(d.start.x, p.x, d.start.y, p.y));
  } else if (d.kind === "move") {
    const o = d.orig;
    state.boxes[d.index].x = clamp(o.x + p.x - d.start.x, 0, W - o.width);
    state.boxes[d.index].y = clamp(o.y + p.y - d.start.y, 0, H - o.height);
  } else {
    const o = d.orig;
    const fixedX = d.corner.includes("w") ? o.x + o.width : o.x;
    const fixedY = d.corner.includes("n") ? o.y + o.height : o.y;
    Object.assign(state.boxes[d.index], span(fixedX, p.x, fixedY, p.y));
  }
  render();
});

function span(x1, x2, y1, y2) {
  return { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) };
}

function endDrag(e) {
  const d = state.drag;
  if (!d || e.pointerId !== d.pointer) return;
  state.drag = null;
  if (svg.hasPointerCapture(e.pointerId)) svg.releasePointerCapture(e.pointerId);
  if (d.kind === "draw" && d.index >= 0) {
    const b = state.boxes[d.index];
    if (b.width < 4 || b.height < 4) { // too small to be meant: a slip, not a box
      state.boxes.splice(d.index, 1);
      state.selected = -1;
      render();
      return;
    }
    select(d.index);
    edited(d.index);
    say(`Drew a box: ${b.label.replace(/_/g, " ")}`);
  } else if (d.kind === "draw") {
    select(-1);
  } else if (d.moved) {
    edited(d.index);
    render();
  }
}
svg.addEventListener("pointerup", endDrag);
svg.addEventListener("pointercancel", endDrag);

// ---- Tools -------------------------------------------------------------------------------

$("#label").addEventListener("change", (e) => {
  state.label = e.target.value;
  if (state.selected >= 0 && state.boxes[state.selected].label !== state.label) {
    state.boxes[state.selected].label = state.label;
    edited(state.selected);
    render();
  }
});

function deleteSelected() {
  if (state.selected < 0) return;
  const [gone] = state.boxes.splice(state.selected, 1);
  state.selected = -1;
  edited(-1);
  render();
  say(`Deleted ${gone.label.replace(/_/g, " ")}`);
}
$("#delete").addEventListener("click", deleteSelected);

$("#add-class-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = $("#new-class");
  try {
    const added = await api("POST", "/api/classes", { name: input.value });
    setClasses(added.classes, added.name);
    input.value = "";
    if (state.selected >= 0) {
      state.boxes[state.selected].label = added.name;
      edited(state.selected);
      render();
    }
    say(`Added the class ${added.name.replace(/_/g, " ")}`, "ok");
  } catch (error) {
    say(error.message, "error");
  }
});

async function save(nothingHere) {
  if (!state.photo) return;
  const index = state.current;
  const boxes = nothingHere ? [] : state.boxes.map(({ label, x, y, width, height }) => ({ label, x, y, width, height }));
  try {
    const saved = await api("PUT", `/api/photos/${index}/labels`, { boxes, nothingHere });
    state.drafts.delete(index);
    state.photos[index].status = saved.status;
    renderList();
    say(nothingHere ? `Saved ${saved.name} as nothing here` : `Saved ${saved.name} with ${plural(saved.boxes.length, "box")}`, "ok");
    const next = state.photos.findIndex((p) => p.index > index && p.status === "new");
    if (next >= 0) {
      const message = $("#message").textContent;
      await open(next);
      say(`${message}. ${$("#message").textContent}`, "ok");
    } else {
      await open(index);
    }
  } catch (error) {
    say(error.message, "error");
  }
}
$("#save").addEventListener("click", () => save(false));
$("#nothing").addEventListener("click", () => {
  const own = state.boxes.filter((b) => !b.proposal).length;
  if (own > 0 && !window.confirm(`Delete your ${plural(own, "box")} and save this photo as nothing here?`)) return;
  save(true);
});
$("#prev").addEventListener("click", () => open(state.current - 1));
$("#next").addEventListener("click", () => open(state.current + 1));

document.addEventListener("keydown", (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
  if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); deleteSelected(); }
  else if (e.key === "ArrowRight") open(state.current + 1);
  else if (e.key === "ArrowLeft") open(state.current - 1);
});
window.addEventListener("resize", () => { if (state.photo) render(); });

start().catch((error) => say(error.message, "error"));
