export { esc, num, pct, slug } from './escape.ts';
export { exampleHtml, PAGE_SIZE, paged } from './examples.ts';
export { type ReportPageInput, renderReport } from './render.ts';
export { recipeFilters } from './sections.ts';
export { clusterColour, histogramSvg, type Marker, scatterSvg } from './svg.ts';
