/**
 * admin — operator routes under /v1/admin. Until roles and permissions exist, they sit behind one
 * bearer token from GATEHOUSE_ADMIN_TOKEN and are not registered at all without it. Routes only:
 * they compose other parts' interfaces and never touch tables themselves.
 */
export { adminRoutes } from "./routes.js";
export { createAdminService, type AdminService } from "./service.js";
export { AdminErrors } from "./errors.js";
export { createRequireAdminToken } from "./admin-token.js";
