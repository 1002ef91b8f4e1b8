import { describe, expect, it } from 'vitest';
import { createStoreCalls, createStoreTroubleLog } from '../src/core/engine/store-calls.js';
import { StoreError } from '../src/core/errors.js';
import type { Logger, LogLevel } from '../src/core/logger.js';

function recorder() {
  const lines: LogLevel[] = [];
  const push = (level: LogLevel) => () => lines.push(level);
  const log: Logger = { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
  return { log, lines };
}

describe('store trouble log', () => {
  it('warns once per 10 s and says the rest at debug level', () => {
    const clock = { t: 0 };
    const { log, lines } = recorder();
    const trouble = createStoreTroubleLog(
      log,
      () => false,
      () => clock.t,
    );
    trouble('could not store a', new Error('locked'), 'a');
    clock.t = 9_999;
    trouble('could not store b', new Error('locked'), 'b');
    clock.t = 10_000;
    trouble('could not store c', new Error('locked'), 'c');
    expect(lines).toEqual(['warn', 'debug', 'warn']);
  });

  it('says nothing about a fatal error: run() reports it', () => {
    const { log, lines } = recorder();
    let fatal = false;
    const trouble = createStoreTroubleLog(log, () => fatal);
    trouble('x', new StoreError('disk full'), 'a');
    fatal = true;
    trouble('x', new Error('locked'), 'a');
    expect(lines).toEqual([]);
  });
});

describe('store calls', () => {
  it('wraps failures in a transient StoreError and hands a fatal one to onFatal', async () => {
    const calls = createStoreCalls(60_000, 60_000);
    const fatals: StoreError[] = [];
    calls.onFatal = (error) => fatals.push(error);
    const transient = await calls.call(Promise.reject(new Error('busy')), 'state.claim').catch((e) => e);
    expect(transient).toBeInstanceOf(StoreError);
    expect(transient.transient).toBe(true);
    expect(fatals).toEqual([]);
    const full = new StoreError('disk full');
    await expect(calls.call(Promise.reject(full), 'results.saveUser')).rejects.toBe(full);
    expect(fatals).toEqual([full]);
  });

  it('transient trouble lasting giveUpMs turns fatal', async () => {
    const calls = createStoreCalls(60_000, 0);
    const fatals: StoreError[] = [];
    calls.onFatal = (error) => fatals.push(error);
    await calls.call(Promise.reject(new Error('busy')), 'state.claim').catch(() => {});
    expect(fatals.length).toBe(1);
    expect(fatals[0].message).toMatch(/state store kept failing/);
  });
});
