import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Browser } from '../src/core/browser-driver.js';
import { MissingDependencyError, TimeoutError } from '../src/core/errors.js';
import {
  type ChromiumDriverPart,
  chromiumDriver,
  type PreparedChromium,
} from '../src/drivers/chromium-launch.js';
import { hasEnv, isAlive, OWNER_PID_ENV } from '../src/drivers/chromium-process.js';
import { removeProfileDir } from '../src/drivers/chromium-profile.js';

/** Any executable passes for Chromium here: the parts below never start it. */
const FAKE_CHROMIUM = '/bin/sh';

function fakeBrowser(): Browser {
  return {
    pid: undefined,
    raw: undefined,
    newPage: () => Promise.reject(new Error('no pages')),
    isConnected: () => true,
    close: async () => undefined,
    kill: async () => undefined,
  };
}

describe('the Chromium launch template', () => {
  it('prepares Chromium for the part: flags with the profile, the deadline, launch options over defaults', async () => {
    let seen: { chromium: PreparedChromium; options: Record<string, unknown> } | undefined;
    const part: ChromiumDriverPart<
      { executablePath?: string; headless?: boolean; timeoutMs?: number },
      string
    > = {
      name: 'fake',
      load: async () => 'library',
      start: async (chromium, library, options) => {
        expect(library).toBe('library');
        seen = { chromium, options };
        return fakeBrowser();
      },
    };
    const driver = chromiumDriver(part, { executablePath: FAKE_CHROMIUM, headless: false, timeoutMs: 5_000 });
    expect(driver.name).toBe('fake');
    expect('maxOpenPages' in driver).toBe(false);
    // An undefined launch option keeps the driver's own; a defined one wins.
    await driver.launch({ headless: undefined, timeoutMs: 7_000 });
    expect(seen!.options).toMatchObject({ executablePath: FAKE_CHROMIUM, headless: false, timeoutMs: 7_000 });
    expect(seen!.chromium.executable).toBe(FAKE_CHROMIUM);
    expect(seen!.chromium.timeoutMs).toBe(7_000);
    expect(seen!.chromium.left()).toBeGreaterThan(6_000);
    expect(seen!.chromium.flags).toContain(`--user-data-dir=${seen!.chromium.profile}`);
    expect(seen!.chromium.flags).not.toContain('--headless=new');
    // The profile belongs to the browser now (it removes it when it goes).
    expect(existsSync(seen!.chromium.profile)).toBe(true);
    await removeProfileDir(seen!.chromium.profile);
  });

  it('on a failed start kills what was spawned, removes the profile and maps the error', async () => {
    let profile = '';
    let pid = 0;
    const part: ChromiumDriverPart<{ executablePath?: string }, null> = {
      name: 'fake',
      maxOpenPages: 1,
      load: async () => null,
      start: async (chromium) => {
        profile = chromium.profile;
        const proc = await chromium.spawn('/bin/sh', ['-c', 'echo ready on 42; exec sleep 60'], {
          ready: /ready on (\d+)/,
          what: 'a stand-in',
        });
        pid = proc.pid;
        expect(proc.match[1]).toBe('42');
        // Tagged for the orphan sweep with the pid of the crawler that started it.
        expect(hasEnv(pid, OWNER_PID_ENV, String(process.pid))).toBe(true);
        throw new Error('the library could not connect');
      },
      mapError: (error) => new TimeoutError(`mapped: ${(error as Error).message}`),
    };
    const driver = chromiumDriver(part, { executablePath: FAKE_CHROMIUM });
    expect(driver.maxOpenPages).toBe(1);
    const error = await driver.launch({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('mapped: the library could not connect');
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(profile)).toBe(false);
  });

  it('loads the library and finds Chromium before it makes a profile or starts anything', async () => {
    let started = false;
    const part: ChromiumDriverPart<{ executablePath?: string }, null> = {
      name: 'fake',
      load: async () => {
        throw new MissingDependencyError('fake-library is not installed', { hint: 'npm i fake-library' });
      },
      start: async () => {
        started = true;
        return fakeBrowser();
      },
    };
    await expect(chromiumDriver(part, { executablePath: FAKE_CHROMIUM }).launch({})).rejects.toThrow(
      'fake-library is not installed',
    );
    const noChromium = chromiumDriver(
      { ...part, load: async () => null },
      { executablePath: '/nonexistent/chromium' },
    );
    await expect(noChromium.launch({})).rejects.toBeInstanceOf(MissingDependencyError);
    expect(started).toBe(false);
  });
});
