import type { BaseContext, GraphQLRequestContext, GraphQLRequestListener } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { chainRequestPlugins, type RequestPlugin } from '../../src/request-plugins.ts';

/** A plugin that records each hook it hears as `<name>.<hook>`, and throws where told. */
function recording(name: string, heard: string[], throwsIn?: string): RequestPlugin<BaseContext> {
  const hear = (hook: string) => {
    heard.push(`${name}.${hook}`);
    if (hook === throwsIn) throw new Error(`${name} refused in ${hook}`);
  };
  return {
    requestDidStart() {
      heard.push(`${name}.requestDidStart`);
      return {
        didResolveOperation: () => hear('didResolveOperation'),
        didEncounterErrors: () => hear('didEncounterErrors'),
        willSendResponse: () => hear('willSendResponse'),
      };
    },
  };
}

const context = {} as never;

async function listenerOf(
  plugins: RequestPlugin<BaseContext>[],
): Promise<GraphQLRequestListener<BaseContext>> {
  const listener = await chainRequestPlugins(plugins).requestDidStart!(
    {} as GraphQLRequestContext<BaseContext>,
  );
  return listener!;
}

describe('chainRequestPlugins', () => {
  it('starts every plugin once per request and runs their hooks in the order given', async () => {
    const heard: string[] = [];
    const listener = await listenerOf([recording('a', heard), recording('b', heard), recording('c', heard)]);
    await listener.didResolveOperation!(context);
    await listener.didEncounterErrors!(context);
    await listener.willSendResponse!(context);
    expect(heard).toEqual([
      'a.requestDidStart',
      'b.requestDidStart',
      'c.requestDidStart',
      'a.didResolveOperation',
      'b.didResolveOperation',
      'c.didResolveOperation',
      'a.didEncounterErrors',
      'b.didEncounterErrors',
      'c.didEncounterErrors',
      'a.willSendResponse',
      'b.willSendResponse',
      'c.willSendResponse',
    ]);
  });

  it('runs every hook of a stage when one throws, and rejects with the first error, as Promise.all would', async () => {
    const heard: string[] = [];
    const listener = await listenerOf([
      recording('a', heard),
      recording('b', heard, 'didResolveOperation'),
      recording('c', heard, 'didResolveOperation'),
      recording('d', heard),
    ]);
    await expect(listener.didResolveOperation!(context)).rejects.toThrow('b refused in didResolveOperation');
    expect(heard.filter((entry) => entry.endsWith('.didResolveOperation'))).toEqual([
      'a.didResolveOperation',
      'b.didResolveOperation',
      'c.didResolveOperation',
      'd.didResolveOperation',
    ]);
  });

  it('skips the plugins that do not watch a stage', async () => {
    const heard: string[] = [];
    const quiet: RequestPlugin<BaseContext> = { requestDidStart: () => ({}) };
    const listener = await listenerOf([quiet, recording('a', heard), quiet]);
    await listener.willSendResponse!(context);
    expect(heard).toEqual(['a.requestDidStart', 'a.willSendResponse']);
  });
});
