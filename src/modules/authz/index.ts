/**
 * authz — roles, permissions, and which users hold which roles. For now it answers one question
 * for token issuance: the role names of a user. Role and permission administration builds here.
 */
export { createAuthzService, type AuthzService } from "./service.js";
