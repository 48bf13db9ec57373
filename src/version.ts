/** Winnow's version, as package.json gives it (test/unit/version.test.ts keeps the two equal). */
export const WINNOW_VERSION = '0.1.0';
