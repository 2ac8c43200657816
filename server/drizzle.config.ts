// `npx drizzle-kit generate` (run in server/) turns changes to src/store/schema.ts into a new SQL
// migration under drizzle/. Commit it; the server applies pending migrations at start-up.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/schema.ts',
  out: './drizzle',
});
