import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.js';
import type { ConfigLayer } from './resolve-config.js';

export const CONFIG_FILE_NAMES = [
  'csdn-crawl.config.ts',
  'csdn-crawl.config.mts',
  'csdn-crawl.config.mjs',
  'csdn-crawl.config.js',
  'csdn-crawl.config.cjs',
  'csdn-crawl.config.json',
];

export function findConfigFile(cwd: string): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = path.join(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function importModule(file: string): Promise<unknown> {
  if (!/\.(c|m)?ts$/.test(file)) return import(`${pathToFileURL(file).href}?t=${Date.now()}`);
  // Node 20 cannot import TypeScript; transpile next to the file so its imports still resolve.
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (cause) {
    throw new ConfigError(`cannot load ${file}: TypeScript config files need esbuild`, {
      cause,
      hint: 'npm i -D esbuild, or rename it to csdn-crawl.config.mjs',
    });
  }
  const source = await readFile(file, 'utf8');
  const { code } = await esbuild.transform(source, { loader: 'ts', format: 'esm', sourcefile: file });
  const temp = path.join(path.dirname(file), `.csdn-crawl.config.${process.pid}.${Date.now()}.mjs`);
  await writeFile(temp, code);
  try {
    return await import(pathToFileURL(temp).href);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Read a config file into a layer. A file that cannot be read or parsed is a ConfigError naming it. */
export async function loadConfigFile(file: string): Promise<ConfigLayer> {
  const source = path.relative(process.cwd(), file) || file;
  if (!existsSync(file)) {
    throw new ConfigError(`config file ${source} does not exist`, { hint: 'check the --config path' });
  }
  let values: unknown;
  if (file.endsWith('.json')) {
    const text = await readFile(file, 'utf8');
    try {
      values = JSON.parse(text);
    } catch (cause) {
      throw new ConfigError(`config file ${source} is not valid JSON: ${(cause as Error).message}`, {
        cause,
        hint: 'fix the JSON syntax',
      });
    }
  } else {
    let mod: unknown;
    try {
      mod = await importModule(file);
    } catch (cause) {
      if (cause instanceof ConfigError) throw cause;
      throw new ConfigError(`config file ${source} failed to load: ${(cause as Error).message}`, { cause });
    }
    const exported = (mod as { default?: unknown }).default ?? mod;
    values = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ConfigError(`config file ${source} must export an object`, {
      hint: 'export default defineConfig({ ... })',
    });
  }
  return { source, values: values as Record<string, unknown> };
}
