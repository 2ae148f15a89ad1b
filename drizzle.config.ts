import { defineConfig } from 'drizzle-kit';

// Generates numbered SQL migrations into db/migrations from db/schema.ts (`npm run db:generate`).
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema.ts',
  out: './db/migrations',
});
