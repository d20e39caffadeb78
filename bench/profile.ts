// Reads a V8 .cpuprofile (node --cpu-prof; `npm run bench -- --profile` writes them to bench/tmp/profiles) and
// prints where the time went: self time by function and by package, and writes a flame graph (.svg) and folded
// stacks (.folded, for flamegraph.pl or speedscope) next to it.
// Usage: node bench/tmp/build/bench/profile.js <file.cpuprofile> [--top N] [--window FROM-TO]
// --window keeps the samples between FROM and TO seconds after the profile began (one phase of a bench run).
import { readFileSync, writeFileSync } from 'node:fs';

process.stdout.on('error', () => process.exit(0)); // piped into head

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const file = process.argv[2];
if (!file) throw new Error('usage: profile.js <file.cpuprofile> [--top N]');
const topN = Number(process.argv[process.argv.indexOf('--top') + 1]) || 30;
const windowArg = process.argv.includes('--window') ? process.argv[process.argv.indexOf('--window') + 1] ?? '' : '';
const [fromS, toS] = windowArg ? windowArg.split('-').map(Number) : [0, Infinity];
const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map<number, number>();
let total = 0;
let at = 0;
prof.samples.forEach((id, i) => {
  const dt = Math.max(0, prof.timeDeltas[i] ?? 0);
  at += dt;
  if (at < fromS! * 1e6 || at > toS! * 1e6) return;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist !== -1) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '') || '(native)';
}
const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
function area(f: CallFrame): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  if (f.url.startsWith('node:')) return f.url.split('/')[0]!.replace(/^node:internal/, 'node');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f.url);
  if (nm) return nm[1]!;
  const d = /\/dist\/([^/]+)\//.exec(f.url);
  return d ? `ferry ${d[1]}` : shortUrl(f.url);
}

const byFn = new Map<string, number>();
const byArea = new Map<string, number>();
for (const [id, t] of self) {
  const f = byId.get(id)!.callFrame;
  byFn.set(label(f), (byFn.get(label(f)) ?? 0) + t);
  byArea.set(area(f), (byArea.get(area(f)) ?? 0) + t);
}
// Percentages are of busy time: samples where the thread was idle (waiting for I/O) are left out.
const busy = total - [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
const pct = (t: number) => `${((t / busy) * 100).toFixed(1).padStart(5)} %`;
const print = (title: string, m: Map<string, number>, n: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, t] of [...m].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${pct(t)}  ${k}\n`);
};
// Inclusive time: every function on a sample's stack, counted once per sample.
const incl = new Map<string, number>();
for (const [id, t] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const name = label(byId.get(cur)!.callFrame);
    if (!seen.has(name)) incl.set(name, (incl.get(name) ?? 0) + t);
    seen.add(name);
  }
}
process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (percentages below are of busy time)\n`);
print('self time by package / area', byArea, 20);
print('self time by function', byFn, topN);
print('inclusive time by function', incl, topN);

// Folded stacks and a flame graph (root at the bottom), from the same samples.
const folded = new Map<string, number>();
for (const [id, t] of self) {
  const frames: string[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame;
    if (f.functionName !== '(root)') frames.unshift(label(f).replace(/;/g, ','));
  }
  const key = frames.join(';');
  folded.set(key, (folded.get(key) ?? 0) + t);
}
writeFileSync(file.replace(/\.cpuprofile$/, '.folded'), [...folded].map(([k, t]) => `${k} ${Math.round(t)}`).join('\n') + '\n');

interface Frame { name: string; value: number; children: Map<string, Frame> }
const root: Frame = { name: 'all', value: 0, children: new Map() };
for (const [stack, t] of folded) {
  root.value += t;
  let node = root;
  for (const name of stack.split(';')) {
    let next = node.children.get(name);
    if (!next) node.children.set(name, next = { name, value: 0, children: new Map() });
    next.value += t;
    node = next;
  }
}
const W = 1600;
const H = 16;
const boxes: Array<{ name: string; value: number; x: number; w: number; depth: number }> = [];
function layout(f: Frame, x: number, depth: number): void {
  const w = (f.value / root.value) * W;
  if (w < 0.5) return;
  boxes.push({ name: f.name, value: f.value, x, w, depth });
  let cx = x;
  for (const c of [...f.children.values()].sort((a, b) => b.value - a.value)) {
    layout(c, cx, depth + 1);
    cx += (c.value / root.value) * W;
  }
}
layout(root, 0, 0);
const height = (Math.max(...boxes.map((b) => b.depth)) + 1) * H;
const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' }[c]!));
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="monospace" font-size="10">\n` +
  boxes.map((b) => {
    const y = height - (b.depth + 1) * H;
    const text = b.w > 40 ? `<text x="${(b.x + 3).toFixed(1)}" y="${y + 11}">${esc(b.name.slice(0, Math.floor(b.w / 6)))}</text>` : '';
    return `<g><title>${esc(b.name)} (${pct(b.value).trim()})</title><rect x="${b.x.toFixed(1)}" y="${y}" width="${b.w.toFixed(1)}" ` +
      `height="${H - 1}" fill="hsl(${(b.name.length * 37) % 60 + 10},80%,${55 + (b.depth % 3) * 5}%)"/>${text}</g>`;
  }).join('\n') + '\n</svg>\n';
writeFileSync(file.replace(/\.cpuprofile$/, '.svg'), svg);
process.stdout.write(`\nflame graph: ${file.replace(/\.cpuprofile$/, '.svg')}\n`);
