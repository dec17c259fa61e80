// Runs fhirpath.js (the reference FHIRPath engine, pinned in package.json) on the expressions and
// data of expressions.json — the same ones bench/fhirpath_bench.cpp runs — and prints a table of
// evaluations per second for both engines. Usage: node bench.js <chartroom-bench-results.json>
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const fhirpath = require('fhirpath');
const r4 = require('fhirpath/fhir-context/r4');

const root = path.resolve(__dirname, '..', '..');
const sharedData = process.env.CHARTROOM_SHARED_DATA_DIR || path.resolve(root, '..', 'shared', 'data');
const config = JSON.parse(fs.readFileSync(path.join(__dirname, 'expressions.json'), 'utf8'));

function loadData() {
  const files = [path.join(root, 'tests/data/synthea/patient-bundle-1.json.gz')];
  const dir = path.join(sharedData, 'synthea/fhir-data-pipes-synthea-hiv-bundles');
  if (fs.existsSync(dir)) {
    const shared = fs.readdirSync(dir).filter((f) => f.endsWith('.json.gz'))
      .map((f) => path.join(dir, f)).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
    const limit = process.env.FHIRPATH_BENCH_BUNDLE_FILES !== undefined
      ? Number(process.env.FHIRPATH_BENCH_BUNDLE_FILES) : config.bundle_files;
    files.push(...shared.slice(0, limit));
  }
  // Each source bundle's entries are regrouped into collection Bundles of bundle_size entries;
  // Bundle51 holds those of the first file only.
  const sets = { Bundle51: [] };
  files.forEach((f, index) => {
    const entries = JSON.parse(zlib.gunzipSync(fs.readFileSync(f))).entry;
    for (let i = 0; i < entries.length; i += config.bundle_size) {
      const bundle = { resourceType: 'Bundle', type: 'collection', entry: entries.slice(i, i + config.bundle_size) };
      if (index === 0) sets.Bundle51.push(bundle);
      for (const e of bundle.entry) (sets[e.resource.resourceType] ||= []).push(e.resource);
    }
  });
  return sets;
}

// Evaluations per second over at least `seconds`, round robin over the inputs.
function measure(fn, inputs, seconds) {
  let n = 0;
  let i = 0;
  for (let w = 0; w < Math.min(2000, inputs.length * 4); ++w) fn(inputs[w % inputs.length]);
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < limit) {
    for (let k = 0; k < 200; ++k) {
      fn(inputs[i]);
      if (++i === inputs.length) i = 0;
    }
    n += 200;
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}

function main() {
  const cppFile = process.argv[2];
  const cpp = {};
  if (cppFile) {
    for (const b of JSON.parse(fs.readFileSync(cppFile, 'utf8')).benchmarks) {
      cpp[b.name.replace(/^Eval\//, '')] = b.items_per_second;
    }
  }
  const sets = loadData();
  const rows = [];
  for (const e of config.expressions) {
    const fn = fhirpath.compile(e.expression, r4);
    rows.push([e.name, e.expression, sets[e.input].length, cpp[e.name], measure(fn, sets[e.input], 1.0)]);
  }
  const u = config.uncached;
  rows.push([u.name + ' (uncached)', u.expression, sets[u.input].length, cpp[u.name],
    measure((r) => fhirpath.evaluate(r, u.expression, null, r4), sets[u.input], 1.0)]);
  const fmt = (x) => (x === undefined ? 'n/a' : x >= 1e6 ? (x / 1e6).toFixed(2) + 'M' : (x / 1e3).toFixed(1) + 'k');
  console.log('| benchmark | expression | inputs | Chartroom evals/s | fhirpath.js 5.2.2 evals/s | ratio |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, expr, n, c, js] of rows) {
    const ratio = c === undefined ? 'n/a' : (c / js).toFixed(1) + 'x';
    console.log(`| ${name} | \`${expr}\` | ${n} | ${fmt(c)} | ${fmt(js)} | ${ratio} |`);
  }
}

main();
