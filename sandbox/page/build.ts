/**
 * Builds the sandbox page when the sandbox starts: the browser code (plain TypeScript in
 * sandbox/page/client/, with the Block Kit renderer in sandbox/page/render/) bundled by esbuild
 * into one script, the stylesheets concatenated, all served from the sandbox itself. Nothing is
 * fetched from a CDN, so the demo works offline.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { RENDER_CSS } from './render/index.js';

export interface PageAssets {
  html: string;
  js: string;
  css: string;
}

const PAGE_DIR = fileURLToPath(new URL('.', import.meta.url));

export async function buildPage(): Promise<PageAssets> {
  const bundle = await build({
    entryPoints: [`${PAGE_DIR}client/main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: false,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]?.text;
  if (js === undefined) throw new Error('sandbox page: esbuild produced no output');
  // The page's layout, then the renderer's Slack look (it styles only sk- classes).
  const css = `${await readFile(`${PAGE_DIR}client/sandbox.css`, 'utf8')}\n${RENDER_CSS}`;
  const html = await readFile(`${PAGE_DIR}client/index.html`, 'utf8');
  return { html, js, css };
}
