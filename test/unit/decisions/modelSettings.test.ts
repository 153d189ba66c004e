import { describe, expect, it } from 'vitest';
import { describeModelSettings, resolveModelSettings } from '../../../extension/core/decisions/modelSettings';

describe('resolveModelSettings', () => {
  it('no model named anywhere: undefined (the rules decide), even with a key and a URL in the environment', async () => {
    expect(await resolveModelSettings({ env: {} })).toBeUndefined();
    expect(
      await resolveModelSettings({
        env: {
          OPENAI_API_KEY: 'sk-1',
          OPENAI_BASE_URL: 'http://x/v1',
          FLEETAI_MODEL_BASE_URL: 'http://y/v1',
        },
        getSecret: () => Promise.resolve('sk-secret'),
      }),
    ).toBeUndefined();
    expect(
      await resolveModelSettings({ settings: { model: '  ' }, env: { FLEETAI_MODEL: '' } }),
    ).toBeUndefined();
  });

  it('explicit settings win over the environment, which wins over the secret', async () => {
    let asked = 0;
    const getSecret = (): Promise<string> => {
      asked++;
      return Promise.resolve('sk-secret');
    };
    const env = {
      FLEETAI_MODEL: 'env-model',
      FLEETAI_MODEL_BASE_URL: 'http://env.example/v1/',
      FLEETAI_MODEL_API_KEY: 'sk-env',
    };
    const explicit = await resolveModelSettings({
      settings: {
        model: 'set-model',
        baseUrl: 'http://set.example/v1',
        apiKey: 'sk-set',
        api: 'chat_completions',
      },
      env,
      getSecret,
    });
    expect(explicit).toMatchObject({
      model: 'set-model',
      baseURL: 'http://set.example/v1',
      apiKey: 'sk-set',
      api: 'chat_completions',
      sources: { model: 'settings', baseURL: 'settings', apiKey: 'settings' },
    });
    const fromEnv = await resolveModelSettings({ env, getSecret });
    expect(fromEnv).toMatchObject({
      model: 'env-model',
      baseURL: 'http://env.example/v1',
      apiKey: 'sk-env',
      api: 'responses',
      timeoutMs: 60_000,
      sources: { model: 'environment', baseURL: 'environment', apiKey: 'environment' },
    });
    expect(asked).toBe(0);
    const fromSecret = await resolveModelSettings({ env: { ...env, FLEETAI_MODEL_API_KEY: '' }, getSecret });
    expect(fromSecret).toMatchObject({ apiKey: 'sk-secret', sources: { apiKey: 'secret' } });
    expect(asked).toBe(1);
  });

  it('OPENAI_BASE_URL/OPENAI_API_KEY are the fallback pair; OpenAI’s key never goes to another provider’s URL', async () => {
    const pair = await resolveModelSettings({
      env: { FLEETAI_MODEL: 'm', OPENAI_BASE_URL: 'http://proxy.example/v1', OPENAI_API_KEY: 'sk-openai' },
    });
    expect(pair).toMatchObject({ baseURL: 'http://proxy.example/v1', apiKey: 'sk-openai' });
    const openai = await resolveModelSettings({
      env: { FLEETAI_MODEL: 'gpt-x', OPENAI_API_KEY: 'sk-openai' },
    });
    expect(openai).toMatchObject({ baseURL: 'https://api.openai.com/v1', apiKey: 'sk-openai' });
    expect(openai?.sources.baseURL).toBe('default');
    const other = await resolveModelSettings({
      env: {
        FLEETAI_MODEL: 'deepseek-chat',
        FLEETAI_MODEL_BASE_URL: 'https://api.deepseek.com',
        OPENAI_API_KEY: 'sk-openai',
      },
    });
    expect(other?.baseURL).toBe('https://api.deepseek.com');
    expect(other?.apiKey).toBeUndefined();
  });

  it('unusable values are E_CONFIG_INVALID naming the setting or variable', async () => {
    await expect(
      resolveModelSettings({ env: { FLEETAI_MODEL: 'm', FLEETAI_MODEL_BASE_URL: 'localhost:1234' } }),
    ).rejects.toMatchObject({
      code: 'E_CONFIG_INVALID',
      message: expect.stringContaining('FLEETAI_MODEL_BASE_URL') as string,
    });
    await expect(
      resolveModelSettings({ settings: { model: 'm', baseUrl: 'ftp://x' } }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('fleetai.model.baseUrl') as string,
    });
    await expect(
      resolveModelSettings({ env: { FLEETAI_MODEL: 'm', FLEETAI_MODEL_API: 'completions' } }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('FLEETAI_MODEL_API') as string,
    });
    await expect(
      resolveModelSettings({ env: { FLEETAI_MODEL: 'm', FLEETAI_MODEL_TIMEOUT_SECONDS: 'soon' } }),
    ).rejects.toMatchObject({ message: expect.stringContaining('FLEETAI_MODEL_TIMEOUT_SECONDS') as string });
  });

  it('describes the endpoint for logs without the key', async () => {
    const settings = await resolveModelSettings({
      env: {
        FLEETAI_MODEL: 'm',
        FLEETAI_MODEL_BASE_URL: 'http://h/v1',
        FLEETAI_MODEL_API_KEY: 'sk-hidden',
        FLEETAI_MODEL_TIMEOUT_SECONDS: '2.5',
      },
    });
    const described = describeModelSettings(settings!);
    expect(described).toMatchObject({ baseURL: 'http://h/v1', model: 'm', hasKey: true, timeoutMs: 2500 });
    expect(JSON.stringify(described)).not.toContain('sk-hidden');
    expect(Object.keys(settings!)).not.toContain('apiKey');
  });
});
