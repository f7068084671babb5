// @hey-api/openapi-ts: the fetch client of openapi/openapi.json that test/integration/client-sdk-e2e.test.ts
// drives (`npm run client:sdk`, part of `npm run openapi`); test/client/sdk-drift.test.ts checks it is current.
export default {
  input: './openapi/openapi.json',
  output: { path: process.env.HEY_API_OUTPUT ?? './test/client/generated' },
  plugins: ['@hey-api/client-fetch'],
  logs: { file: false },
};
