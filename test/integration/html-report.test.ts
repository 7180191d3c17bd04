import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import t, { type Test } from 'tap';
import { WebSocket } from 'undici';
import { writeHtmlReport } from '../../scripts/lib/html-report';
import { readRunEvidence } from '../../scripts/lib/html-report/run-evidence';
import { buildCharts } from '../../scripts/lib/html-report/series';
import { packageRoot } from '../../scripts/lib/paths';

/**
 * The HTML report in a real browser: Debian's headless Chromium opens the file (file://, network features off),
 * we read back the DOM it built and a screenshot. Every series of every chart must have drawn SVG marks, and the
 * verdict banner must be on screen in its colour. Screenshots stay in test/artifacts/ for a person to look at.
 */
const ARTIFACTS = path.join(packageRoot, 'test', 'artifacts');
const fixture = (name: string) => path.join(packageRoot, 'test', 'fixtures', 'evidence-run', name);
const CHROMIUM = ['chromium', '/usr/bin/chromium'].find((c) => (c.includes('/') ? fs.existsSync(c) : true))!;

function chromium(t: Test, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-chromium-'));
  t.teardown(() => fs.rmSync(profile, { recursive: true, force: true }));
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, [...flags, ...args], { timeout: 90_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The window's width, the part the page may use (less a vertical scrollbar), and the page's own width. */
type Layout = { innerWidth: number; clientWidth: number; scrollWidth: number };

/**
 * What the page measures in a real window `width` px wide: Chromium opened with its DevTools endpoint on loopback,
 * and the page asked (Runtime.evaluate; the page itself runs no script) for its layout width. A page wider than
 * its window scrolls sideways.
 */
async function layoutAt(url: string, width: number): Promise<Layout> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-chromium-'));
  const child = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--window-size=${width},1000`,
      `--user-data-dir=${profile}`,
      url,
    ],
    { timeout: 90_000 },
  );
  const closed = new Promise((resolve) => child.on('close', resolve));
  try {
    return await measure(child, url);
  } finally {
    child.kill('SIGKILL');
    await closed;
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function measure(child: ChildProcessWithoutNullStreams, url: string): Promise<Layout> {
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.on('close', () => reject(new Error(`chromium ended without a DevTools endpoint: ${err.slice(-500)}`)));
  });
  type Target = { url: string; type: string; webSocketDebuggerUrl: string };
  let page: Target | undefined;
  for (let i = 0; i < 100 && !page; i++) {
    const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Target[];
    page = list.find((p) => p.type === 'page' && p.url === url);
    if (!page) await new Promise((r) => setTimeout(r, 100));
  }
  if (!page) throw new Error(`chromium never opened ${url}`);
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const expression = `new Promise((done) => {
    const measure = () => done(JSON.stringify({ innerWidth, clientWidth: document.documentElement.clientWidth, scrollWidth: document.documentElement.scrollWidth }));
    document.readyState === 'complete' ? measure() : addEventListener('load', measure);
  })`;
  const answer = await new Promise<{ result: { result: { value: string } } }>((resolve, reject) => {
    ws.onmessage = (m) => resolve(JSON.parse(String(m.data)) as { result: { result: { value: string } } });
    ws.onerror = reject;
    ws.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, awaitPromise: true } }));
  });
  ws.close();
  return JSON.parse(answer.result.result.value) as Layout;
}

/** Just enough PNG decoding (8-bit RGB/RGBA, not interlaced: what Chromium writes) to look at pixels. */
function decodePng(buf: Buffer): {
  width: number;
  height: number;
  pixel: (x: number, y: number) => [number, number, number];
} {
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const colorType = buf[25];
  const bpp = colorType === 6 ? 4 : 3;
  const idat: Buffer[] = [];
  for (let off = 8; off < buf.length;) {
    const len = buf.readUInt32BE(off);
    if (buf.toString('ascii', off + 4, off + 8) === 'IDAT') idat.push(buf.subarray(off + 8, off + 8 + len));
    off += len + 12;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= bpp ? out[y * stride + i - bpp]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? out[(y - 1) * stride + i - bpp]! : 0;
      const p = a + b - c;
      const pr =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const v =
        filter === 0 ? x : filter === 1 ? x + a : filter === 2 ? x + b : filter === 3 ? x + ((a + b) >> 1) : x + pr;
      out[y * stride + i] = v & 0xff;
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => [out[y * stride + x * bpp]!, out[y * stride + x * bpp + 1]!, out[y * stride + x * bpp + 2]!],
  };
}

const hex = (h: string): [number, number, number] =>
  [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];

/** Pixels of `color` (± a little antialiasing) in the rows [y0, y1). */
function countColor(png: ReturnType<typeof decodePng>, color: string, y0: number, y1: number): number {
  const [r, g, b] = hex(color);
  let n = 0;
  for (let y = y0; y < Math.min(y1, png.height); y++) {
    for (let x = 0; x < png.width; x++) {
      const [pr, pg, pb] = png.pixel(x, y);
      if (Math.abs(pr - r) < 12 && Math.abs(pg - g) < 12 && Math.abs(pb - b) < 12) n++;
    }
  }
  return n;
}

/** The figures of the rendered DOM, each with its chart id and its markup. */
function figures(dom: string): { chart: string; html: string }[] {
  return dom
    .split('<figure class="chart')
    .slice(1)
    .map((chunk) => ({ chart: /data-chart="([a-z_]+)"/.exec(chunk)![1]!, html: chunk.split('</figure>')[0]! }));
}

/** Series names of the vega marks (lines and their points) drawn inside one figure. */
function drawnSeries(figureHtml: string): Set<string> {
  const names = new Set<string>();
  for (const group of figureHtml.split(/<g class="mark-(?:line|symbol) role-mark series_marks/).slice(1)) {
    const body = group.split('</g>')[0]!;
    for (const m of body.matchAll(/<path[^>]*aria-label="[^"]*series: ([^;"]+)[^"]*"[^>]*\sd="M[^"]+"/g))
      names.add(m[1]!.replace(/&amp;/g, '&'));
  }
  return names;
}

async function render(t: Test, name: string, verdictColor: string): Promise<string> {
  const dir = t.testdir({});
  fs.cpSync(fixture(name), dir, { recursive: true });
  const file = await writeHtmlReport(dir);
  const url = `file://${file}`;

  const dump = await chromium(t, ['--dump-dom', url]);
  t.equal(dump.code, 0, 'chromium --dump-dom exited 0');
  const dom = dump.stdout;
  t.match(dom, /<svg [^>]*class="marks"/, 'inline SVG in the DOM');

  const ev = readRunEvidence(dir);
  const expected = new Map(buildCharts(ev).map((c) => [c.id as string, [...new Set(c.rows.map((r) => r.series))]]));
  const figs = figures(dom);
  t.ok(figs.length >= 5, `${figs.length} charts in the page`);
  for (const fig of figs) {
    const want = expected.get(fig.chart) ?? [];
    t.ok(want.length > 0, `${fig.chart}: the evidence has series to draw`);
    const drawn = drawnSeries(fig.html);
    for (const s of want) t.ok(drawn.has(s), `${fig.chart}: "${s}" drew SVG marks`);
    // The phases are drawn as bands, the thresholds as rules.
    t.match(fig.html, /class="mark-rect role-mark phases_marks"/, `${fig.chart}: phase bands`);
  }

  const shot = path.join(ARTIFACTS, `html-report-${name}.png`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.rmSync(shot, { force: true });
  fs.copyFileSync(file, path.join(ARTIFACTS, `html-report-${name}.html`));
  const r = await chromium(t, [`--screenshot=${shot}`, '--window-size=1400,3000', url]);
  t.equal(r.code, 0, 'chromium --screenshot exited 0');
  const png = decodePng(fs.readFileSync(shot));
  t.same([png.width, png.height], [1400, 3000]);
  // The verdict banner's border colour must be on the first screen (the top 300 px), not scrolled away or hidden.
  t.ok(countColor(png, verdictColor, 0, 300) > 1000, `the verdict banner (${verdictColor}) is visible at the top`);
  // A 1280-pixel-wide window shows the whole page: charts and tables fit, nothing scrolls sideways.
  const at1280 = await layoutAt(url, 1280);
  t.equal(at1280.innerWidth, 1280, 'measured in a window 1280 px wide');
  t.ok(at1280.scrollWidth <= 1280, `the page is ${at1280.scrollWidth} px wide at 1280 px`);
  t.ok(
    at1280.scrollWidth <= at1280.clientWidth,
    `it fits the ${at1280.clientWidth} px beside the vertical scrollbar: no horizontal scrolling`,
  );
  return dom;
}

t.test('a successful run: verdict, eight criteria, every series of every chart and snapshot drawn', async (t) => {
  const dom = await render(t, 'success', '#2e7d32');
  t.match(dom, /<div class="banner pass" id="verdict" data-verdict="SUCCESS"><strong>SUCCESS<\/strong>/);
  t.equal((dom.match(/<tr data-criterion=/g) ?? []).length, 8);
  t.equal((dom.match(/<section class="moment"/g) ?? []).length, 3);
  t.equal(figures(dom).length, 5 + 3 * 5);
});

t.test('a rolled-back run: the rollback is the verdict, what was measured is drawn', async (t) => {
  const dom = await render(t, 'rollback', '#c62828');
  t.match(dom, /data-verdict="ROLLED BACK"><strong>ROLLED BACK<\/strong>/);
  t.match(dom, /No report\.json in the evidence folder/);
  t.match(dom, /Incident record: <code>incidents\/\d{8}T\d{6}Z_pool_scaling_incident\.md<\/code>/);
});
