import type { TopLevelSpec } from 'vega-lite';

export interface RenderedSvg {
  svg: string;
  /** vega-lite's compile warnings (a dropped encoding, a conflicting scale): tests require none. */
  warnings: string[];
}

/**
 * Compile a vega-lite spec and render it to an SVG string with vega's headless View (no browser, no canvas).
 * vega and vega-lite are loaded here, on first use, so the CLI's start-up does not pay for them.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<RenderedSvg> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const warnings: string[] = [];
  const logger = vega.logger(vega.Warn);
  logger.warn = (...args: readonly unknown[]) => {
    warnings.push(args.map(String).join(' '));
    return logger;
  };
  const compiled = vl.compile(spec, { logger }).spec;
  // The specs carry their data inline: a loader that refuses everything keeps rendering offline by construction.
  const loader = vega.loader();
  loader.load = () => Promise.reject(new Error('the HTML report renders inline data only'));
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader, logger });
  try {
    return { svg: await view.toSVG(), warnings };
  } finally {
    view.finalize();
  }
}
