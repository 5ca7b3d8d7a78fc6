/**
 * login-history — every sign-in attempt, successful or not, with method, reason, IP, user agent
 * and time; paged for the user it belongs to. Attempts for unknown login names are kept without
 * a user. It records; it never decides whether a sign-in may happen.
 */
export { createLoginHistoryService, type LoginHistoryService, type LoginAttempt, type LoginHistoryPage, type LoginFailureReason } from "./service.js";
export { loginHistoryRoutes } from "./routes.js";
