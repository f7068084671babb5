import { contractViolations, formatViolation } from './contract';

/**
 * Runs after every test file (jest setupFilesAfterEnv): a response that broke the OpenAPI
 * document fails the file even when its test app was never closed.
 */
afterAll(() => {
  if (contractViolations.length === 0) return;
  const lines = contractViolations.splice(0).map(formatViolation);
  throw new Error(`Responses that break the OpenAPI document:\n${lines.join('\n')}`);
});
