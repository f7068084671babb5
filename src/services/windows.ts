/**
 * The window lock helpers moved to src/repositories/window-repository.ts; case-service and the
 * bench floor still import them from here until they are rewritten (issue #15).
 */
export { loadWindows, lockWindows } from '../repositories/window-repository';
