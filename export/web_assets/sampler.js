// The tfgan_lite browser sampler: runs generator.tflite with LiteRT.js on
// the CPU (WASM) and draws a grid of samples. Written by tfgan-export
// (--formats web) with sampler.json, which describes the generator.
import {loadAndCompile, loadLiteRt, Tensor} from '@litertjs/core';

const GAP = 2;  // Pixels between cells; a selected cell's frame sits in it.
const FRAME = {a: '#e8590c', b: '#1c7ed6'};
// Browsers coarsen performance.now() (to 0.1 ms or more, with jitter),
// and a batch of a small generator takes less than that: the figure shown
// is the mean of as many runs of one batch as fill TIMED_MS.
const TIMED_MS = 100;
const MAX_TIMED_RUNS = 2000;

const state = {
  ready: false,
  error: null,
  seed: 0,
  latents: [],  // One Float32Array per cell.
  labels: null,  // One class id per cell, for a conditional generator.
  pixels: [],  // One Uint8Array (H * W * C) per cell, as drawn.
  a: 0,
  b: 0,
  msPerBatch: null,  // null: below the timer's resolution.
  timedRuns: 0,
  litertjsVersion: null,
};
window.sampler = state;

const $ = (id) => document.getElementById(id);

// A seeded uniform stream (mulberry32): the same seed gives the same
// latents in every browser.
function uniforms(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Standard normal latents by Box-Muller, one Float32Array per cell.
function drawLatents(seed, count, dim) {
  const next = uniforms(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const z = new Float32Array(dim);
    for (let j = 0; j < dim; j++) {
      const u1 = 1 - next();  // In (0, 1], so log(u1) is finite.
      const u2 = next();
      z[j] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
    out.push(z);
  }
  return out;
}

// Spherical interpolation from a to b; the end points are a and b exactly.
function slerp(a, b, steps) {
  let dot = 0, na = 0, nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j] * b[j];
    na += a[j] * a[j];
    nb += b[j] * b[j];
  }
  const cos = Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb)));
  const omega = Math.acos(cos);
  const out = [];
  for (let i = 0; i < steps; i++) {
    const t = i / (steps - 1);
    if (i === 0 || i === steps - 1) {
      out.push(Float32Array.from(i === 0 ? a : b));
      continue;
    }
    // Nearly parallel vectors: the linear path is the same curve.
    const [wa, wb] = omega < 1e-6 ? [1 - t, t] : [
      Math.sin((1 - t) * omega) / Math.sin(omega),
      Math.sin(t * omega) / Math.sin(omega),
    ];
    const z = new Float32Array(a.length);
    for (let j = 0; j < a.length; j++) z[j] = wa * a[j] + wb * b[j];
    out.push(z);
  }
  return out;
}

// tfgan_lite's to_uint8: clip(round((x + 1) * 127.5), 0, 255) in float32
// arithmetic, rounding half to even, NaN to 0. Math.fround keeps each
// step in float32, as the SavedModel's uint8 tail computes it.
function toUint8(x) {
  const v = Number.isNaN(x) ? -1 : x;
  const scaled = Math.fround(Math.fround(v + 1) * 127.5);
  const low = Math.floor(scaled);
  const rest = scaled - low;
  let r = low;
  if (rest > 0.5 || (rest === 0.5 && low % 2 !== 0)) r = low + 1;
  return Math.min(255, Math.max(0, r));
}

function batchInputs(settings, latents, labels, i) {
  const batch = settings.batch_size;
  const dim = settings.latent_dim;
  const z = new Float32Array(batch * dim);
  const label = new Int32Array(batch);
  for (let k = 0; k < batch; k++) {
    // The last batch is padded with its first row, as in Python.
    const row = i + k < latents.length ? i + k : i;
    z.set(latents[row], k * dim);
    if (labels) label[k] = labels[row];
  }
  const inputs = {z: new Tensor(z, [batch, dim])};
  if (settings.conditional) inputs.label = new Tensor(label, [batch]);
  return inputs;
}

// Milliseconds per batch: the mean over repeated runs of one batch (its
// outputs read back, as for drawing), or null if even those took no
// measurable time.
async function timeBatch(runner, inputs) {
  const start = performance.now();
  let elapsed = 0;
  let runs = 0;
  while (runs < 3 || (elapsed < TIMED_MS && runs < MAX_TIMED_RUNS)) {
    const outputs = await runner.run(inputs);
    outputs.images.toTypedArray();
    for (const t of Object.values(outputs)) t.delete();
    runs++;
    elapsed = performance.now() - start;
  }
  state.timedRuns = runs;
  return elapsed > 0 ? elapsed / runs : null;
}

async function generate(model, settings, latents, labels) {
  const batch = settings.batch_size;
  const [h, w, c] = settings.sample_shape;
  const size = h * w * c;
  const runner = model.signatures.generate ?? model;
  const pixels = [];
  for (let i = 0; i < latents.length; i += batch) {
    const inputs = batchInputs(settings, latents, labels, i);
    const outputs = await runner.run(inputs);
    const values = outputs.images.toTypedArray();
    for (const t of Object.values(inputs)) t.delete();
    for (const t of Object.values(outputs)) t.delete();
    for (let k = 0; k < batch && i + k < latents.length; k++) {
      const cell = new Uint8Array(size);
      for (let j = 0; j < size; j++) {
        const x = values[k * size + j];
        cell[j] = settings.output === 'uint8' ? x : toUint8(x);
      }
      pixels.push(cell);
    }
  }
  const inputs = batchInputs(settings, latents, labels, 0);
  state.msPerBatch = await timeBatch(runner, inputs);
  for (const t of Object.values(inputs)) t.delete();
  return pixels;
}

// "0.042 ms" rather than "0.00 ms": three significant digits.
function timing(ms, batch) {
  const per = `per batch of ${batch}, mean of ${state.timedRuns} runs`;
  if (ms === null) {
    return `under the browser timer's resolution ${per}`;
  }
  const shown = ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3);
  return `${shown} ms ${per}`;
}

function cellBox(settings, i) {
  const [h, w] = settings.sample_shape;
  const col = i % settings.grid.cols;
  const row = Math.floor(i / settings.grid.cols);
  return {x: GAP + col * (w + GAP), y: GAP + row * (h + GAP), w, h};
}
state.cellBox = (i) => cellBox(state.settings, i);

function draw(settings) {
  const canvas = $('grid');
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#444';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (const [key, index] of [['a', state.a], ['b', state.b]]) {
    const box = cellBox(settings, index);
    ctx.fillStyle = FRAME[key];
    ctx.fillRect(box.x - GAP, box.y - GAP, box.w + 2 * GAP, box.h + 2 * GAP);
  }
  const c = settings.sample_shape[2];
  state.pixels.forEach((cell, i) => {
    const box = cellBox(settings, i);
    const image = ctx.createImageData(box.w, box.h);
    for (let p = 0; p < box.w * box.h; p++) {
      const rgb = c === 1 ? [cell[p], cell[p], cell[p]] :
                            [cell[3 * p], cell[3 * p + 1], cell[3 * p + 2]];
      image.data.set([...rgb, 255], 4 * p);
    }
    ctx.putImageData(image, box.x, box.y);
  });
}

function labelsFor(settings, count, fixed) {
  if (!settings.conditional) return null;
  const choice = Number($('class').value);
  return Array.from({length: count}, (_, i) =>
    fixed ?? (choice >= 0 ? choice : i % settings.num_classes));
}

async function show(model, settings, latents, labels, what) {
  state.ready = false;
  document.body.dataset.state = 'busy';
  state.latents = latents;
  state.labels = labels;
  state.pixels = await generate(model, settings, latents, labels);
  draw(settings);
  const n = latents.length;
  $('status').textContent =
      `${what}: ${n} samples, ` +
      `${timing(state.msPerBatch, settings.batch_size)} (LiteRT.js ` +
      `${settings.litertjs_version}, CPU/WASM).`;
  state.ready = true;
  document.body.dataset.state = 'ready';
}

async function main() {
  const settings = await (await fetch('sampler.json')).json();
  state.settings = settings;
  state.litertjsVersion = settings.litertjs_version;
  const count = settings.grid.rows * settings.grid.cols;
  state.b = count - 1;
  const [h, w] = settings.sample_shape;
  const canvas = $('grid');
  canvas.width = GAP + settings.grid.cols * (w + GAP);
  canvas.height = GAP + settings.grid.rows * (h + GAP);
  const scale = Math.max(1, Math.floor(720 / canvas.width));
  canvas.style.width = `${canvas.width * scale}px`;
  canvas.style.height = `${canvas.height * scale}px`;
  if (settings.conditional) {
    const select = $('class');
    select.add(new Option('mixed (0, 1, 2, ...)', '-1'));
    for (let k = 0; k < settings.num_classes; k++) {
      select.add(new Option(String(k), String(k)));
    }
    $('class-label').hidden = false;
  }
  const params = new URLSearchParams(location.search);
  state.seed = Number(params.get('seed') ?? 0);
  $('seed').value = state.seed;

  await loadLiteRt(new URL('litertjs/wasm/', location.href).href);
  const model = await loadAndCompile(
      new URL(settings.model, location.href).href, {accelerator: 'wasm'});

  const sample = () => show(
      model, settings, drawLatents(state.seed, count, settings.latent_dim),
      labelsFor(settings, count), `seed ${state.seed}`);
  const walk = () => {
    const fixed = settings.conditional ? state.labels[state.a] : undefined;
    return show(
        model, settings,
        slerp(state.latents[state.a], state.latents[state.b], count),
        labelsFor(settings, count, fixed),
        `walk from cell ${state.a} to cell ${state.b}`);
  };
  $('new-noise').onclick = () => {
    state.seed += 1;
    $('seed').value = state.seed;
    return sample();
  };
  $('seed').onchange = () => {
    state.seed = Number($('seed').value);
    return sample();
  };
  $('class').onchange = sample;
  $('walk').onclick = walk;
  canvas.onclick = (event) => {
    const rect = canvas.getBoundingClientRect();
    const x = (event.clientX - rect.left) * canvas.width / rect.width;
    const y = (event.clientY - rect.top) * canvas.height / rect.height;
    const col = Math.floor((x - GAP / 2) / (w + GAP));
    const row = Math.floor((y - GAP / 2) / (h + GAP));
    const index = row * settings.grid.cols + col;
    if (col < 0 || col >= settings.grid.cols || index >= count) return;
    state[event.shiftKey ? 'b' : 'a'] = index;
    draw(settings);
  };
  await sample();
  $('new-noise').disabled = false;
  $('walk').disabled = false;
}

main().catch((e) => {
  state.error = String(e && e.stack ? e.stack : e);
  document.body.dataset.state = 'error';
  $('status').textContent = `Error: ${e}`;
});
