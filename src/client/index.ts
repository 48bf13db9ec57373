export { ApiError, type ClientOptions, WinnowClient } from './client.ts';
