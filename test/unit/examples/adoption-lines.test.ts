import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { packageRoot } from '../../../scripts/lib/paths';

/**
 * The bar: a service adopts poolgate in under 20 lines of its own code. The example marks those lines
 * (`// poolgate: begin` … `// poolgate: end`); they are counted here, and the README's "Bring your own service"
 * must show exactly them, so the claim and the code cannot drift apart.
 */
const server = fs.readFileSync(path.join(packageRoot, 'examples', 'orders-express', 'server.ts'), 'utf8');
const readme = fs.readFileSync(path.join(packageRoot, 'README.md'), 'utf8');

function marked(text: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const line of text.split('\n')) {
    if (/\/\/ poolgate: begin/.test(line)) inside = true;
    else if (/\/\/ poolgate: end/.test(line)) inside = false;
    else if (inside && line.trim() !== '') out.push(line.trim());
  }
  return out;
}

t.test('the example adopts poolgate in under 20 lines', async (t) => {
  const lines = marked(server);
  t.ok(lines.length > 0 && lines.length < 20, `${lines.length} lines`);
  t.ok(
    lines.some((l) => l.includes("from 'poolgate/agent'")),
    'it imports poolgate/agent by its package name',
  );
});

t.test('the README shows those lines, in order', async (t) => {
  const start = readme.indexOf('## Bring your own service');
  t.ok(start >= 0, 'README has the section');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1] ?? '';
  const shown = block
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('//') && l !== '...');
  t.same(shown, marked(server));
});
