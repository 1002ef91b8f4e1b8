import { createRequire } from 'node:module';

/** The ECharts build copied next to the pages, so reports work offline and from disk. */
export const CHART_LIBRARY_FILE = 'echarts.min.js';

/**
 * ECharts (Apache, actively maintained, canvas rendering with a rich-text tooltip mode that needs
 * no HTML, large-scatter mode) is resolved from the installing project, lazily, so that the rest
 * of the package works without it.
 */
export function resolveChartLibrary(): string {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve('echarts/dist/echarts.min.js');
  } catch {
    throw new Error('The report needs the chart library ECharts: install it with `npm i echarts`.');
  }
}
