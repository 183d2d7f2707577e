// Changes to the builder's conditions, as pure functions on the tree of conditions (a new tree
// each time, for React state): change one condition, remove one, add one to a group.
import type { Condition } from './tree';

/** The tree with the condition `id` replaced by `fn(it)`. */
export function updateCondition(root: Condition, id: number, fn: (c: Condition) => Condition): Condition {
  if (root.id === id) return fn(root);
  if (root.kind !== 'group') return root;
  let changed = false;
  const children = root.children.map((c) => {
    const next = updateCondition(c, id, fn);
    if (next !== c) changed = true;
    return next;
  });
  return changed ? { ...root, children } : root;
}

/** The tree without the condition `id` (the root itself is never removed). */
export function removeCondition(root: Condition, id: number): Condition {
  if (root.kind !== 'group') return root;
  const kept = root.children.filter((c) => c.id !== id);
  const children = kept.map((c) => removeCondition(c, id));
  return kept.length === root.children.length && children.every((c, i) => c === root.children[i]) ? root : { ...root, children };
}

/** The tree with `c` added at the end of group `groupId`. */
export function addCondition(root: Condition, groupId: number, c: Condition): Condition {
  return updateCondition(root, groupId, (g) => (g.kind === 'group' ? { ...g, children: [...g.children, c] } : g));
}

/** How many conditions (not groups) the tree holds: the server takes at most 256. */
export function countConditions(root: Condition): number {
  return root.kind === 'group' ? root.children.reduce((n, c) => n + countConditions(c), 0) : 1;
}
