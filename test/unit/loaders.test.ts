import { describe, expect, it } from 'vitest';
import { createCatalogLoader } from '../../src/loaders/catalog.ts';
import { createManagerLoader, resolveManagerRule } from '../../src/loaders/managers.ts';
import type { DepartmentModel, ManagerRule } from '../../src/models.ts';

function catalog(ids: string[]) {
  const calls: string[] = [];
  const entities = new Map(ids.map((id) => [id, { id }]));
  const loader = createCatalogLoader<{ id: string }>({
    fetchOne: async (id) => {
      calls.push(`one:${id}`);
      return entities.get(id) ?? null;
    },
    listAll: async () => {
      calls.push('list');
      return [...entities.values()];
    },
    idOf: (entity) => entity.id,
    missing: (id) => (id.startsWith('stub') ? { id } : null),
  });
  return { loader, calls };
}

describe('catalog loader (contract section 7)', () => {
  it('asks by id when a batch has one key', async () => {
    const { loader, calls } = catalog(['a', 'b']);
    expect(await loader.load('a')).toEqual({ id: 'a' });
    expect(calls).toEqual(['one:a']);
  });

  it('reads the list once when a batch has several keys, and answers later keys from it', async () => {
    const { loader, calls } = catalog(['a', 'b', 'c']);
    expect(await Promise.all([loader.load('a'), loader.load('b')])).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(await loader.load('c')).toEqual({ id: 'c' });
    expect(await loader.load('zzz')).toBeNull();
    expect(calls).toEqual(['list']);
  });

  it('answers a key the provider lacks with its stand-in, or null', async () => {
    const { loader } = catalog(['a']);
    expect(await Promise.all([loader.load('stub-1'), loader.load('nope')])).toEqual([{ id: 'stub-1' }, null]);
  });

  it('fails exactly the keys of a batch whose request failed', async () => {
    const loader = createCatalogLoader<{ id: string }>({
      fetchOne: async () => {
        throw new Error('down');
      },
      listAll: async () => [{ id: 'x' }],
      idOf: (entity) => entity.id,
      missing: () => null,
    });
    await expect(loader.load('x')).rejects.toThrow('down');
  });
});

const department = (
  id: string,
  parentId: string | null,
  supervisor: ManagerRule,
  functionalManager: ManagerRule = { kind: 'none' },
): DepartmentModel => ({
  id,
  provider: 'ispring',
  externalId: id,
  name: id,
  code: null,
  parentId,
  supervisor,
  functionalManager,
});

const inherit = (parent: string): ManagerRule => ({
  kind: 'department',
  departmentId: parent,
  slot: 'supervisor',
});
const user = (userId: string): ManagerRule => ({ kind: 'user', userId });

function tree(departments: DepartmentModel[]) {
  const byId = new Map(departments.map((d) => [d.id, d]));
  const loads: string[] = [];
  return {
    loads,
    load: async (id: string) => {
      loads.push(id);
      return byId.get(id) ?? null;
    },
  };
}

describe('manager rule resolution (contract section 5)', () => {
  const org = tree([
    department('root', null, user('ceo')),
    department('division', 'root', inherit('root')),
    department('team', 'division', inherit('division')),
    department('quiet', 'root', { kind: 'none' }),
    department('headed', 'root', user('head')),
    department('loopA', 'loopB', inherit('loopB')),
    department('loopB', 'loopA', inherit('loopA')),
  ]);
  const walk = (rule: ManagerRule, subjectId: string | null = 'someone') =>
    resolveManagerRule({ rule, subjectId }, org.load);

  it('a named user is the manager', async () => {
    expect(await walk(user('boss'))).toBe('boss');
  });

  it('no_supervisor means no manager', async () => {
    expect(await walk({ kind: 'none' })).toBeNull();
    expect(await walk({ kind: 'department', departmentId: 'quiet', slot: 'supervisor' })).toBeNull();
  });

  it('inherit walks up through two departments to the one that names a supervisor', async () => {
    expect(await walk({ kind: 'department', departmentId: 'team', slot: 'supervisor' })).toBe('ceo');
  });

  it('skips a supervisor who is the person themself and goes on to the parent department', async () => {
    expect(await walk({ kind: 'department', departmentId: 'headed', slot: 'supervisor' }, 'head')).toBe(
      'ceo',
    );
    expect(await walk({ kind: 'department', departmentId: 'headed', slot: 'supervisor' }, 'other')).toBe(
      'head',
    );
  });

  it('ends with no manager when a department repeats', async () => {
    expect(await walk({ kind: 'department', departmentId: 'loopA', slot: 'supervisor' })).toBeNull();
  });

  it('reads the functional manager slot separately from the supervisor slot', async () => {
    const functional = tree([department('d', null, user('supervisor'), user('functional'))]);
    const rule: ManagerRule = { kind: 'department', departmentId: 'd', slot: 'functional' };
    expect(await resolveManagerRule({ rule, subjectId: 'x' }, functional.load)).toBe('functional');
  });

  it('releases every resolution of a batch together, so the next depth is one batch', async () => {
    const slowTree = tree([
      department('team', 'root', inherit('root')),
      department('root', null, user('ceo')),
    ]);
    const slowLoad = async (id: string) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return slowTree.load(id);
    };
    const loader = createManagerLoader(slowLoad);
    let departmentsLoadedWhenDirectSettled: string[] = [];
    const [direct, walked] = await Promise.all([
      loader.load({ rule: user('direct'), subjectId: 'a' }).then((id) => {
        departmentsLoadedWhenDirectSettled = [...slowTree.loads];
        return id;
      }),
      loader.load({ rule: { kind: 'department', departmentId: 'team', slot: 'supervisor' }, subjectId: 'b' }),
    ]);
    expect([direct, walked]).toEqual(['direct', 'ceo']);
    // 'a' needed no department, yet it was held until the walk of 'b' had finished.
    expect(departmentsLoadedWhenDirectSettled).toEqual(['team', 'root']);
  });
});
