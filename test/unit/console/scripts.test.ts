import { describe, expect, it } from 'vitest';
import { CONSOLE_CSS, CONSOLE_HTML, CONSOLE_JS, VIEW_JS, VIEWER_HTML } from '../../../src/console/index.ts';

describe("the console's files", () => {
  it('are scripts the browser can compile', () => {
    // Compiled, not run: a syntax slip in the strings fails here rather than only in the browser tier.
    expect(() => new Function(CONSOLE_JS)).not.toThrow();
    expect(() => new Function(VIEW_JS)).not.toThrow();
  });

  it('never turn data into markup, and reach no other origin', () => {
    for (const [name, text] of Object.entries({ CONSOLE_JS, VIEW_JS })) {
      expect(text, name).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/,
      );
    }
    for (const [name, text] of Object.entries({
      CONSOLE_JS,
      VIEW_JS,
      CONSOLE_CSS,
      CONSOLE_HTML,
      VIEWER_HTML,
    })) {
      expect(text, name).not.toMatch(/https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i);
      expect(text, name).not.toMatch(/@import|url\(/);
    }
  });
});
