// Boot: language, who is logged in, the top bar, then the hash router.
import * as api from './api.js';
import { apply } from './i18n.js';
import { h } from './dom.js';
import { route, start } from './router.js';
import { initTopbar } from './topbar.js';
import { renderLogin } from './pages/login.js';
import { renderCourses } from './pages/courses.js';
import { renderCourse } from './pages/course.js';
import { renderAttendance } from './pages/attendance.js';
import { renderLive } from './live/page.js';
import { renderQuestionBank } from './pages/quizzes.js';
import { renderQuizResults } from './pages/quiz-results.js';
import { renderHelpdesk, renderTicket } from './pages/helpdesk.js';
import { renderHospital, renderHospitalHome } from './pages/hospital.js';
import { renderAssignment } from './pages/assignment.js';
import { renderCourseQuiz, renderQuizAttempt } from './pages/course-quiz.js';
import { renderCoursework } from './pages/coursework.js';
import { renderProject, renderProjects } from './pages/projects.js';
import { renderSurvey, renderSurveyEdit, renderSurveyNew, renderSurveyResults, renderSurveys } from './pages/surveys.js';
import { renderSurveyLink } from './pages/survey-answer.js';
import { renderLoans } from './pages/loans.js';
import { renderEducationPlan, renderEducationPlans } from './pages/education-plans.js';
import { renderLesson } from './pages/courseware.js';
import { renderCoursePeople, renderJoin } from './pages/course-people.js';
import { renderCourseRequests } from './pages/course-requests.js';
import { renderAdminUsers } from './pages/admin-users.js';
import { renderGrades } from './pages/gradebook.js';
import { renderAttendanceBook } from './pages/attendance-book.js';

/** After rendering a page, move focus to its heading so screen readers announce the change. */
function withFocus(page) {
  return async (root, params) => {
    const cleanup = await page(root, params);
    const heading = root.querySelector('h1');
    if (heading && !root.contains(document.activeElement)) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    return cleanup;
  };
}

route('/login', withFocus(renderLogin));
route('/courses', withFocus(renderCourses));
route('/courses/:id', withFocus(renderCourse));
route('/courses/:id/questions', withFocus(renderQuestionBank));
route('/sessions/:id/quizzes', withFocus(renderQuizResults));
route('/sessions/:id/attendance', withFocus(renderAttendance));
route('/live/:id', withFocus(renderLive));
route('/projects', withFocus(renderProjects));
route('/projects/:id', withFocus(renderProject));
route('/helpdesk', withFocus(renderHelpdesk));
route('/helpdesk/:id', withFocus(renderTicket));
route('/surveys', withFocus(renderSurveys));
route('/surveys/new', withFocus(renderSurveyNew));
route('/surveys/:id', withFocus(renderSurvey));
route('/surveys/:id/edit', withFocus(renderSurveyEdit));
route('/surveys/:id/results', withFocus(renderSurveyResults));
route('/survey-link/:token', withFocus(renderSurveyLink));
route('/loans', withFocus(renderLoans));
route('/education-plans', withFocus(renderEducationPlans));
route('/education-plans/:id', withFocus(renderEducationPlan));
route('/hospital', withFocus(renderHospitalHome));
route('/hospital/:id', withFocus(renderHospital));
route('/courses/:id/work', withFocus(renderCoursework));
route('/assignments/:id', withFocus(renderAssignment));
route('/course-quizzes/:id', withFocus(renderCourseQuiz));
route('/quiz-attempts/:id', withFocus(renderQuizAttempt));
route('/lessons/:id', withFocus(renderLesson));
route('/courses/:id/people', withFocus(renderCoursePeople));
route('/join', withFocus(renderJoin));
route('/join/:id', withFocus(renderJoin));
route('/course-requests', withFocus(renderCourseRequests));
route('/admin/users', withFocus(renderAdminUsers));
route('/courses/:id/grades', withFocus(renderGrades));
route('/courses/:id/attendance-book', withFocus(renderAttendanceBook));

async function boot() {
  apply();
  try {
    await api.loadMe();
  } catch {
    // Server unreachable: the login page shows the error when the user tries.
  }
  initTopbar();
  start(document.getElementById('main'), {
    guard(path) {
      const me = api.user();
      // A guardian's survey link works without an account.
      if (!me && path !== '/login' && !path.startsWith('/survey-link/')) return '/login';
      if (me && (path === '/login' || path === '/')) return '/courses';
      return null;
    },
    notFound(root) {
      root.append(
        h('section', { class: 'page' },
          h('h1', { i18n: 'error.notFoundPage' }),
          h('a', { href: '#/courses', i18n: 'nav.courses' })),
      );
    },
  });
}

boot();
