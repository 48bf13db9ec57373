export { CONSOLE_CSP, CONSOLE_HTML, CONSOLE_PATHS, VIEWER_CSP, VIEWER_HTML } from './page.ts';
export { CONSOLE_JS } from './script.ts';
export { CONSOLE_CSS } from './style.ts';
export { VIEW_JS } from './view.ts';
