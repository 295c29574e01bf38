/**
 * Renders a Vega-Lite specification to a standalone SVG string in Node, with no browser and no
 * canvas: Vega-Lite compiles to Vega, and Vega's headless SVG string renderer draws it. Data are
 * always inline, so nothing is fetched.
 */
import type { TopLevelSpec } from 'vega-lite';

/** Shared look: system fonts (no webfont fetches), light grid, no outer border. */
export const REPORT_CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e9ee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14 },
};

export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  // Loaded on first use so CLI commands that draw nothing do not pay for them at start-up.
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const compiled = vl.compile({ ...spec, config: { ...REPORT_CONFIG, ...(spec as { config?: object }).config } } as TopLevelSpec).spec;
  // A loader that refuses every request keeps rendering offline even if a spec names a URL.
  const refused: string[] = [];
  const loader = vega.loader();
  loader.load = async (uri: string) => {
    refused.push(uri);
    throw new Error(`report charts must not load external data (asked for ${uri})`);
  };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader, logLevel: vega.None });
  try {
    await view.runAsync();
    const svg = await view.toSVG();
    // Vega logs a failed load and draws without the data; a report must fail instead.
    if (refused.length) throw new Error(`report charts must not load external data (asked for ${refused.join(', ')})`);
    return svg;
  } finally {
    view.finalize();
  }
}
