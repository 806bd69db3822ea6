// Validates electron-builder.yml with electron-builder's own schema validator (offline), so a typo fails CI.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import yaml from 'js-yaml';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..', '..');

interface BuilderConfigModule {
  validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
}
interface DebugLoggerCtor {
  new (enabled: boolean): unknown;
}

const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as BuilderConfigModule;
const { DebugLogger } = require('builder-util') as { DebugLogger: DebugLoggerCtor };

function loadConfig(): Record<string, unknown> {
  const parsed = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('electron-builder.yml is not a mapping');
  return parsed as Record<string, unknown>;
}

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation', async () => {
    await expect(validateConfiguration(loadConfig(), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('rejects a typo (the validator is really active)', async () => {
    const broken = { ...loadConfig(), asarUnpak: ['x'] };
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/asarUnpak/);
  });

  it('declares the targets, microphone usage and ffmpeg unpacking the app needs', () => {
    const config = loadConfig() as {
      appId?: string;
      asarUnpack?: string[];
      linux?: { target?: string[] };
      win?: { target?: string[] };
      mac?: { target?: string[]; extendInfo?: Record<string, string>; entitlements?: string };
      electronFuses?: Record<string, boolean>;
    };
    expect(config.appId).toMatch(/^[a-z0-9.]+$/);
    expect(config.asarUnpack).toContain('node_modules/ffmpeg-static/**');
    expect(config.linux?.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win?.target).toContain('nsis');
    expect(config.mac?.target).toContain('dmg');
    expect(config.mac?.extendInfo?.NSMicrophoneUsageDescription).toMatch(/microphone/i);
    const entitlements = readFileSync(path.join(root, String(config.mac?.entitlements)), 'utf8');
    expect(entitlements).toContain('com.apple.security.device.audio-input');
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
