// Tests of edit.ts: changing, removing and adding conditions returns new trees and leaves the rest alone.
import { describe, expect, it } from 'vitest';
import { addCondition, countConditions, removeCondition, updateCondition } from './edit';
import { emptyRoot, newCondition, type Condition } from './tree';

describe('edit', () => {
  it('changes one condition deep in the tree', () => {
    const root = emptyRoot();
    const inner = newCondition('group') as Condition & { kind: 'group' };
    const withGroup = addCondition(root, root.id, inner);
    const target = inner.children[0];
    const next = updateCondition(withGroup, target.id, (c) => ({ ...c, negate: true }));
    expect(next).not.toBe(withGroup);
    const g = next as Condition & { kind: 'group' };
    expect(g.children[0]).toBe(root.children[0]); // untouched branch kept as is
    expect((g.children[1] as Condition & { kind: 'group' }).children[0].negate).toBe(true);
    expect(updateCondition(withGroup, 999999, (c) => c)).toBe(withGroup);
  });
  it('removes and counts', () => {
    const root = emptyRoot();
    const inner = newCondition('group') as Condition & { kind: 'group' };
    let t = addCondition(root, root.id, inner);
    t = addCondition(t, inner.id, newCondition('audience'));
    expect(countConditions(t)).toBe(3);
    t = removeCondition(t, inner.children[0].id);
    expect(countConditions(t)).toBe(2);
    t = removeCondition(t, inner.id);
    expect(countConditions(t)).toBe(1);
    expect(removeCondition(t, t.id)).toBe(t);
  });
});
