import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Vega-Lite → Vega → SVG → PNG, with no native build and no system fonts: vega renders SVG
 * headlessly (`renderer: 'none'`), resvg (a Rust binary shipped in its npm package) rasterizes it
 * with the Inter TTF from @expo-google-fonts/inter, so a slim container draws the same text.
 * CPU-bound (~100-200 ms): call it after ack(), never on the ack path.
 */

export const CHART_FONT_FAMILY = 'Inter';
const require = createRequire(import.meta.url);
const FONT_FILES = [
  require.resolve('@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf'),
  require.resolve('@expo-google-fonts/inter/600SemiBold/Inter_600SemiBold.ttf'),
];

export async function renderChartPng(spec: TopLevelSpec, options: { readonly scale?: number } = {}): Promise<Buffer> {
  const vegaSpec = compile(spec).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    const svg = await view.toSVG(options.scale ?? 2);
    const png = new Resvg(svg, {
      font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
      background: 'white',
    }).render();
    return png.asPng();
  } finally {
    view.finalize();
  }
}
