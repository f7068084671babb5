import { PrismaClient } from '../generated/prisma/client';

/**
 * The Prisma client type. Prisma owns the schema and the migrations and serves the cold paths
 * from repositories; services never hold it (docs/decisions/hot-path-sql.md).
 */
export type Db = InstanceType<typeof PrismaClient>;
