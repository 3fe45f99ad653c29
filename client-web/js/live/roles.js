// Course roles that lead a class: shown first, may moderate.
export const TEACHING_ROLES = new Set(['teacher', 'co_teacher']);

export function isTeaching(participant) {
  return Boolean(participant) && TEACHING_ROLES.has(participant.role);
}

/** Teachers first, then by name in the reader's collation (Korean names sort correctly). */
export function byStageOrder(a, b) {
  const rank = (p) => (p.role === 'teacher' ? 0 : p.role === 'co_teacher' ? 1 : 2);
  return rank(a) - rank(b) || a.display_name.localeCompare(b.display_name, 'ko');
}
