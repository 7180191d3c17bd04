/**
 * The Prometheus text exposition format (version 0.0.4), as far as a scraper of the reference service needs:
 * `# HELP`/`# TYPE` comments are skipped, each sample line is `name{label="value",...} value [timestamp]`.
 * Label values may hold escaped `\\`, `\"` and `\n`. Values may be `NaN`, `+Inf`, `-Inf`.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      out.push(parseLine(line));
    } catch (err) {
      throw new Error(`line ${i + 1}: ${(err as Error).message}: ${line.slice(0, 80)}`);
    }
  });
  return out;
}

function parseLine(line: string): Sample {
  const m = NAME.exec(line);
  if (!m) throw new Error('no metric name');
  const name = m[0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos += 1;
    for (;;) {
      while (line[pos] === ' ' || line[pos] === ',') pos += 1;
      if (line[pos] === '}') {
        pos += 1;
        break;
      }
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(pos));
      if (!ln) throw new Error('bad label name');
      pos += ln[0].length;
      if (line[pos] !== '=' || line[pos + 1] !== '"') throw new Error(`label ${ln[0]} has no quoted value`);
      pos += 2;
      let value = '';
      for (;;) {
        const c = line[pos];
        if (c === undefined) throw new Error(`label ${ln[0]}: unterminated value`);
        pos += 1;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[pos];
          pos += 1;
          value += e === 'n' ? '\n' : (e ?? '');
        } else value += c;
      }
      labels[ln[0]] = value;
    }
  }
  const rest = line.slice(pos).trim().split(/\s+/);
  if (rest.length < 1 || rest[0] === '') throw new Error('no value');
  return { name, labels, value: parseValue(rest[0]!) };
}

export function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const v = Number(text);
  if (Number.isNaN(v)) throw new Error(`"${text}" is not a number`);
  return v;
}
