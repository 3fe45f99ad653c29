// The top bar's links, by role. A screen for some roles only (the gradebook, the hospital
// classroom, the help desk…) adds one entry here; `roles: null` means every logged-in user.
// `roles` lists account roles (admin, school_admin, teacher, student) or a capability the
// server reports in /api/me's `capabilities` (e.g. 'hospital_instructor').

export const NAV = [
  { href: '#/courses', key: 'nav.courses', testid: 'nav-courses', roles: null },
  { href: '#/course-requests', key: 'nav.courseRequests', testid: 'nav-course-requests', roles: ['admin', 'school_admin', 'teacher'] },
  { href: '#/admin/users', key: 'nav.adminUsers', testid: 'nav-admin-users', roles: ['admin', 'school_admin'] },
  { href: '#/join', key: 'nav.join', testid: 'nav-join', roles: ['student'] },
  { href: '#/projects', key: 'nav.projects', testid: 'nav-projects', roles: null },
  { href: '#/helpdesk', key: 'nav.helpdesk', testid: 'nav-helpdesk', roles: null },
  { href: '#/surveys', key: 'nav.surveys', testid: 'nav-surveys', roles: null },
  { href: '#/loans', key: 'nav.loans', testid: 'nav-loans', roles: ['admin', 'school_admin', 'hospital_admin', 'student'] },
  { href: '#/education-plans', key: 'nav.educationPlans', testid: 'nav-education-plans', roles: ['hospital_admin', 'hospital_instructor', 'home_teacher'] },
  { href: '#/hospital', key: 'nav.hospital', testid: 'nav-hospital', roles: ['hospital_admin', 'hospital_instructor', 'home_teacher'] },
];

/** The entries `me` may see. */
export function navFor(me) {
  if (!me) return [];
  const held = new Set([me.role, ...(me.capabilities || [])]);
  return NAV.filter((entry) => entry.roles === null || entry.roles.some((role) => held.has(role)));
}
