import type { TopLevelSpec } from 'vega-lite';
import { PHASE_COLORS, type Phase } from './phases';
import type { ChartDef, RuleLevel } from './series';

export const RULE_COLORS: Record<RuleLevel, string> = {
  success: '#2e7d32',
  warning: '#ef8f00',
  critical: '#c62828',
  trigger: '#6a1b9a',
  range: '#616161',
};

/**
 * A fixed y-axis band on every chart, so all time axes line up under the phase timeline. Headless vega has no
 * canvas to measure text, so a band axis takes its full labelLimit: the limit is part of the fixed width.
 */
const CONFIG = {
  font: 'DejaVu Sans, Arial, sans-serif',
  view: { stroke: '#ccc' },
  axisY: { minExtent: 160, maxExtent: 160, labelLimit: 155 },
};
const COMPACT_CONFIG = { ...CONFIG, axisY: { minExtent: 30, maxExtent: 40 } };

export interface ChartSize {
  width: number;
  height: number;
}

export interface TimeDomain {
  start: number;
  end: number;
}

/**
 * UTC clock on the x axis (a utc scale formats its labels in UTC): the evidence is in UTC and a report must not
 * depend on the reader's time zone. The domain goes on a layer without x2: vega-lite 5 reports a conflict when
 * an x2 layer carries an explicit temporal domain.
 */
const xAxis = (title: string | null) => ({
  field: 't',
  type: 'temporal' as const,
  title,
  scale: { type: 'utc' as const },
  axis: { format: '%H:%M:%S', labelOverlap: true },
});

/** Tick values 0 and 1-2-5 steps from the scale's constant up past `max`: a symlog axis reads like a log one. */
export function symlogTicks(constant: number, max: number): number[] {
  const ticks = [0];
  for (let decade = 10 ** Math.floor(Math.log10(constant)); ; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * decade).toPrecision(3));
      if (v < constant) continue;
      ticks.push(v);
      if (v >= max) return ticks;
    }
  }
}

/**
 * One metric chart as a vega-lite spec: the phases as shaded bands, each threshold as a dashed rule with its
 * label, and one line per series. A series is split by evidence source (`detail`) so a line never bridges the
 * gap between, say, the baseline snapshot and the load test: each measured point is drawn, nothing is invented.
 */
export function metricSpec(
  chart: ChartDef,
  phases: Phase[],
  domain: TimeDomain,
  size: ChartSize,
  compact = false,
): TopLevelSpec {
  const x = xAxis(compact ? null : 'time (UTC)');
  const xDomain = { ...x, scale: { type: 'utc' as const, domain: [domain.start, domain.end] } };
  const bands = phases
    .filter((p) => p.end >= domain.start && p.start <= domain.end)
    .map((p) => ({
      t: Math.max(p.start, domain.start),
      t2: Math.min(p.end, domain.end),
      phase: p.label,
      fill: PHASE_COLORS[p.id],
    }));
  const rules = chart.rules.map((r) => ({ ...r, stroke: RULE_COLORS[r.level] }));
  // The y domain is explicit: it holds every point and every threshold, and an empty layer (no rules, no data
  // yet in a snapshot panel) cannot leave vega with an infinite extent.
  const top = Math.max(0, ...chart.rows.map((r) => r.value), ...chart.rules.map((r) => r.value)) || 1;
  const ticks = chart.scale.type === 'symlog' ? symlogTicks(chart.scale.constant, top) : [];
  // Units are in the titles: no y title keeps every plot's left edge at the same x as the phase timeline.
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: null,
    ...(chart.scale.type === 'symlog'
      ? {
          scale: { type: 'symlog' as const, constant: chart.scale.constant, domain: [0, ticks[ticks.length - 1]!] },
          axis: { values: ticks, format: '~r' },
        }
      : { scale: { type: 'linear' as const, domain: [0, top], nice: true } }),
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: compact ? chart.short : chart.title, fontSize: compact ? 11 : 14, anchor: 'start' },
    width: size.width,
    height: size.height,
    config: compact ? COMPACT_CONFIG : CONFIG,
    layer: [
      {
        name: 'phases',
        data: { values: bands },
        mark: { type: 'rect', opacity: 0.18 },
        encoding: { x, x2: { field: 't2' }, fill: { field: 'fill', type: 'nominal', scale: null } },
      },
      {
        name: 'thresholds',
        data: { values: rules },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { ...y, field: 'value' }, stroke: { field: 'stroke', type: 'nominal', scale: null } },
      },
      // The small copies show the rules unlabelled: the full-size charts name them.
      ...(compact
        ? []
        : [
            {
              name: 'threshold_labels',
              data: { values: rules },
              mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, fontSize: compact ? 8 : 10 },
              encoding: {
                y: { ...y, field: 'value' },
                x: { value: size.width - 2 },
                text: { field: 'label', type: 'nominal' },
                fill: { field: 'stroke', type: 'nominal', scale: null },
              },
            },
          ]),
      {
        name: 'series',
        data: { values: chart.rows },
        mark: { type: 'line', point: { size: compact ? 12 : 24 }, strokeWidth: compact ? 1.5 : 2 },
        encoding: {
          x: xDomain,
          y,
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: chart.series, scheme: 'tableau10' },
            legend: compact ? null : { orient: 'bottom', title: null, columns: 4, labelLimit: 320 },
          },
          detail: { field: 'source', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** The phase timeline: one bar per phase, same colours as the bands in every chart. */
export function timelineSpec(phases: Phase[], domain: TimeDomain, width: number): TopLevelSpec {
  const values = phases.map((p) => ({
    phase: p.label,
    t: p.start,
    t2: Math.max(p.end, p.start + (domain.end - domain.start) / 400),
    fill: PHASE_COLORS[p.id],
    duration: `${Math.round((p.end - p.start) / 1000)} s`,
  }));
  const x = xAxis('time (UTC)');
  const xDomain = { ...x, scale: { type: 'utc' as const, domain: [domain.start, domain.end] } };
  const y = { field: 'phase', type: 'nominal' as const, sort: phases.map((p) => p.label), title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'Phases of the run', fontSize: 14, anchor: 'start' },
    width,
    height: Math.max(1, phases.length) * 22,
    config: CONFIG,
    data: { values },
    layer: [
      {
        name: 'phase_bars',
        mark: { type: 'bar', height: 14 },
        encoding: { x, x2: { field: 't2' }, y, fill: { field: 'fill', type: 'nominal', scale: null } },
      },
      {
        name: 'phase_durations',
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
        encoding: { x: { ...xDomain, field: 't2' }, y, text: { field: 'duration', type: 'nominal' } },
      },
    ],
  } as TopLevelSpec;
}
