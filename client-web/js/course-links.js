// The buttons under a course's title that lead to its other pages (question bank, assignments
// and quizzes, gradebook, attendance book…). A feature adds one entry; `teach: true` shows it
// to those who run the course only.
import { h } from './dom.js';

export const COURSE_LINKS = [
  { path: (id) => `/courses/${id}/questions`, key: 'bank.title', testid: 'question-bank-link', teach: true },
  { path: (id) => `/courses/${id}/work`, key: 'work.title', testid: 'coursework-link', teach: false },
  { path: (id) => `/courses/${id}/grades`, key: 'grades.link', testid: 'grades-link', teach: false },
  { path: (id) => `/courses/${id}/attendance-book`, key: 'book.link', testid: 'attendance-book-link', teach: false },
  { path: (id) => `/courses/${id}/people`, key: 'people.title', testid: 'course-people-link', teach: true },
];

export function courseLinks(courseId, teach) {
  const links = COURSE_LINKS.filter((link) => teach || !link.teach);
  return h('p', { class: 'row course-links' }, links.map((link) =>
    h('a', { href: `#${link.path(courseId)}`, class: 'btn', testid: link.testid, i18n: link.key })));
}
