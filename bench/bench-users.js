/**
 * The users a benchmark seeds and signs in as. Shared by the seeder (which stores their hashes) and
 * the load generator (which sends their credentials), so both agree without passing 100,000 pairs.
 */

/** Distinct passwords (and so distinct hashes) per user set; hashing each of 100,000 users would take an hour. */
export const PASSWORD_POOL_SIZE = 16;

export const emailFor = (prefix, i) => `${prefix}${i}@bench.example`;
export const usernameFor = (prefix, i) => `${prefix}${i}`;
export const passwordFor = (prefix, i) => `${prefix}-secret-${i % PASSWORD_POOL_SIZE}-correct-horse-battery`;
