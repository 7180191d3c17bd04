import t from 'tap';
import { bucketDelta, histogramQuantile } from '../../../scripts/lib/metrics-source/histogram';
import { parseExposition, parseValue } from '../../../scripts/lib/metrics-source/text-format';

t.test('parses samples, labels with escapes, special values, and skips comments', async (t) => {
  const text = [
    '# HELP poolgate_pool_max max of the pool in force.',
    '# TYPE poolgate_pool_max gauge',
    'poolgate_pool_max{instance="primary-1"} 50',
    'odd{a="x\\"y",b="back\\\\slash",c="new\\nline",} 1.5e3 1700000000000',
    'h_bucket{le="+Inf"} 7',
    'bare NaN',
    '',
  ].join('\n');
  const s = parseExposition(text);
  t.equal(s.length, 4);
  t.same(s[0], { name: 'poolgate_pool_max', labels: { instance: 'primary-1' }, value: 50 });
  t.same(s[1]!.labels, { a: 'x"y', b: 'back\\slash', c: 'new\nline' });
  t.equal(s[1]!.value, 1500, 'a trailing timestamp is not the value');
  t.equal(s[2]!.labels.le, '+Inf');
  t.ok(Number.isNaN(s[3]!.value));
  t.equal(parseValue('-Inf'), -Infinity);
});

t.test('a malformed line names its line number', async (t) => {
  t.throws(() => parseExposition('ok 1\nbroken{a="x} 1'), /line 2: label a: unterminated value/);
  t.throws(() => parseExposition('nameonly'), /line 1: no value/);
  t.throws(() => parseExposition('x abc'), /"abc" is not a number/);
});

t.test(
  'histogramQuantile follows PromQL: interpolation in the bucket, +Inf answers the highest finite bound',
  async (t) => {
    const b = [
      { le: 0.01, count: 50 },
      { le: 0.1, count: 90 },
      { le: 1, count: 100 },
      { le: Infinity, count: 100 },
    ];
    t.equal(histogramQuantile(0.5, b), 0.01, 'rank 50 is the top of the first bucket');
    t.equal(histogramQuantile(0.25, b), 0.005, 'the first bucket starts at 0');
    t.ok(Math.abs(histogramQuantile(0.7, b) - 0.055) < 1e-12, 'rank 70: halfway through (0.01, 0.1]');
    t.equal(histogramQuantile(1, b), 1, 'max: the top of the highest non-empty bucket');
    const inInf = [
      { le: 0.1, count: 1 },
      { le: Infinity, count: 10 },
    ];
    t.equal(histogramQuantile(0.95, inInf), 0.1, 'a rank in +Inf answers the highest finite bound');
    t.ok(
      Number.isNaN(
        histogramQuantile(0.5, [
          { le: 1, count: 0 },
          { le: Infinity, count: 0 },
        ]),
      ),
      'no observations: NaN',
    );
    t.ok(Number.isNaN(histogramQuantile(0.5, [{ le: 1, count: 3 }])), 'no +Inf bucket: NaN');
    t.equal(
      histogramQuantile(0.5, [
        { le: Infinity, count: 4 },
        { le: 1, count: 4 },
        { le: 2, count: 3.9999 },
      ]),
      0.5,
      'unsorted and non-monotonic input is repaired',
    );
  },
);

t.test('bucketDelta: what was observed between two readings', async (t) => {
  t.same(
    bucketDelta(
      [
        { le: 1, count: 10 },
        { le: Infinity, count: 12 },
      ],
      [
        { le: 1, count: 4 },
        { le: Infinity, count: 5 },
      ],
    ),
    [
      { le: 1, count: 6 },
      { le: Infinity, count: 7 },
    ],
  );
});
