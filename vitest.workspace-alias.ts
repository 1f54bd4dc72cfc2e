/** Tests run the workspace packages from their TypeScript sources (tsconfig.json maps the same names). */
import { fileURLToPath } from 'node:url';

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export const workspaceAlias = {
  '@floe/protocol/kafka': source('./packages/protocol/src/kafka/index.ts'),
  '@floe/protocol': source('./packages/protocol/src/index.ts'),
  '@floe/client': source('./packages/client/src/index.ts'),
};
