/**
 * MAX_UPLOAD_BYTES of the test stacks (the workers tier's Miniflare, the e2e tier's shared `wrangler
 * dev`): small enough that a gzip bomb crosses it in a moment, large enough for every upload the tests
 * make (the largest, the routes test's multipart upload, is 16 MiB). Production's is wrangler.toml's.
 */
export const TEST_MAX_UPLOAD_BYTES = 24 * 1024 * 1024;
