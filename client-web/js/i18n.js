// Every visible string goes through here: Korean first (the schools' language), English second.
// Elements built with a `data-i18n` key are re-translated in place when the language changes,
// so a live class keeps its socket and scroll position while the teacher switches language.

const STORAGE_KEY = 'newssem.lang';
export const LANGUAGES = ['ko', 'en'];

const ko = {
  'app.name': '새쌤',
  'app.tagline': '서울 공립학교 원격수업',
  'app.skip': '본문으로 건너뛰기',
  'lang.switch': 'English',
  'lang.switch.label': '언어를 영어로 바꾸기',
  'nav.courses': '내 강좌',
  'nav.logout': '로그아웃',
  'nav.signedInAs': '{name} ({role})',
  'common.loading': '불러오는 중…',
  'common.save': '저장',
  'common.cancel': '취소',
  'common.create': '만들기',
  'common.none': '없음',
  'common.back': '뒤로',
  'common.created': '만들었습니다.',
  'common.required': '필수',

  'role.admin': '관리자',
  'role.school_admin': '학교 관리자',
  'role.teacher': '교사',
  'role.co_teacher': '협력 교사',
  'role.student': '학생',

  'login.title': '로그인',
  'login.login': '아이디',
  'login.password': '비밀번호',
  'login.submit': '로그인',
  'login.busy': '로그인하는 중…',
  'login.demoHint': '체험용 학교의 계정(teacher, student1~3, admin)과 비밀번호는 서버를 시작할 때 화면에 나옵니다.',

  'courses.title': '내 강좌',
  'courses.empty': '등록된 강좌가 없습니다.',
  'courses.subject': '과목',
  'courses.gradeBand': '학년',
  'courses.myRole': '내 역할',
  'admin.title': '관리',
  'admin.newSchool': '새 학교',
  'admin.newUser': '새 사용자',
  'admin.newCourse': '새 강좌',
  'school.code': '학교 코드',
  'school.name': '학교 이름',
  'school.kind': '학교 종류',
  'school.kind.elementary': '초등학교',
  'school.kind.middle': '중학교',
  'school.kind.high': '고등학교',
  'school.kind.special': '특수학교',
  'user.login': '아이디',
  'user.displayName': '이름',
  'user.password': '비밀번호 (8자 이상)',
  'user.role': '역할',
  'user.school': '학교',
  'user.created': '사용자 {login}(번호 {id})를 만들었습니다.',
  'course.title': '강좌 이름',
  'course.subject': '과목',
  'course.gradeBand': '학년',
  'course.school': '학교',

  'course.sessions': '수업',
  'course.noSessions': '예정된 수업이 없습니다.',
  'course.schedule': '수업 예약',
  'course.sessionTitle': '수업 제목',
  'course.start': '시작 시각',
  'course.end': '끝 시각',
  'course.enrolments': '수강생',
  'course.addEnrolment': '수강생 추가',
  'course.userId': '사용자 번호',
  'course.role': '강좌 역할',
  'session.status.scheduled': '예정',
  'session.status.live': '진행 중',
  'session.status.ended': '끝남',
  'session.startBtn': '수업 시작',
  'session.endBtn': '수업 끝내기',
  'session.enter': '수업 입장',
  'session.attendance': '출석',
  'session.when': '일시',
  'session.status': '상태',
  'session.actions': '동작',

  'attendance.title': '출석: {title}',
  'attendance.student': '학생',
  'attendance.status': '상태',
  'attendance.computed': '자동 판정',
  'attendance.firstJoin': '처음 입장',
  'attendance.minutes': '참여 시간(분)',
  'attendance.history': '정정 기록',
  'attendance.correct': '상태 정정',
  'attendance.reason': '정정 사유',
  'attendance.submit': '정정 저장',
  'attendance.empty': '출석 기록이 없습니다.',
  'attendance.notYet': '출석은 수업이 끝난 뒤에 계산됩니다.',
  'attendance.correction': '{when} {who}: {from} → {to} ({reason})',
  'attendance.saved': '정정을 저장했습니다.',
  'attendance.present': '출석',
  'attendance.late': '지각',
  'attendance.excused': '인정 결석',
  'attendance.absent': '결석',

  'live.title': '실시간 수업',
  'live.connecting': '연결하는 중…',
  'live.connected': '연결됨',
  'live.reconnecting': '연결이 끊겼습니다. 다시 연결하는 중…',
  'live.leave': '나가기',
  'live.stage': '수업 화면',
  'live.mediaControls': '카메라와 마이크',
  'live.removed': '선생님이 이 수업에서 내보냈습니다.',
  'live.revoked.logged_out': '로그아웃되어 수업 연결을 끊었습니다. 다시 로그인하면 들어올 수 있습니다.',
  'live.revoked.account_deactivated': '계정이 비활성화되어 수업에서 나가게 되었습니다. 학교 관리자에게 문의하세요.',
  'live.revoked.login': '로그인 화면으로',
  'live.ended': '수업이 끝났습니다.',
  'live.backToCourse': '강좌로 돌아가기',
  'live.notStarted': '수업이 아직 시작되지 않았습니다. 선생님이 시작하면 입장할 수 있습니다.',
  'live.you': '나',
  'live.noVideo': '영상 없음',
  'media.micOn': '마이크 켜기',
  'media.micOff': '마이크 끄기',
  'media.micMutedByTeacher': '선생님이 마이크를 껐습니다',
  'media.cameraOn': '카메라 켜기',
  'media.cameraOff': '카메라 끄기',
  'media.cameraForbidden': '지금은 카메라를 켤 수 없습니다',
  'media.screenStart': '화면 공유',
  'media.screenStop': '화면 공유 끝내기',
  'media.chooseMic': '마이크 선택',
  'media.chooseCamera': '카메라 선택',
  'media.allowCameras': '학생 카메라 허용',
  'media.forbidCameras': '학생 카메라 끄기',
  'media.muteStudent': '마이크 끄기',
  'media.unmuteStudent': '마이크 허용',
  'media.stopStudentCamera': '카메라 끄기',
  'media.allowStudentCamera': '카메라 허용',
  'media.badgeMicOff': '마이크 꺼짐',
  'media.badgeCameraOff': '카메라 꺼짐',
  'media.heldByTeacher': '선생님이 꺼 두었습니다. 손을 들어 말씀드리세요.',
  'media.permissionDenied': '카메라나 마이크 사용이 허락되지 않았습니다. 브라우저 설정을 확인해 주세요.',
  'media.noDevice': '카메라나 마이크를 찾을 수 없습니다.',
  'media.quality.good': '연결 좋음',
  'media.quality.fair': '연결 보통',
  'media.quality.poor': '연결 나쁨',
  'media.quality.unknown': '연결 확인 중',
  'media.qualityDetail': '왕복 {rtt}ms, 손실 {loss}%, {fps}fps',
  'participants.title': '참여자 ({n})',
  'participants.hand': '손 들었음',
  'participants.offline': '연결 끊김',
  'participants.lowerHand': '손 내리기',
  'participants.remove': '내보내기',
  'participants.confirmRemove': '{name}님을 내보낼까요?',
  'participants.confirm': '내보내기 확인',
  'participants.joined': '{name}님이 들어왔습니다.',
  'participants.left': '{name}님이 나갔습니다.',
  'hands.raise': '손 들기',
  'hands.lower': '손 내리기',
  'hands.lowerAll': '모두 손 내리기',
  'chat.title': '채팅',
  'chat.input': '메시지',
  'chat.send': '보내기',
  'chat.pending': '보내는 중…',
  'chat.failed': '보내지 못했습니다',
  'chat.retry': '다시 보내기',
  'chat.count': '{n} / {max}자',
  'chat.tooLong': '메시지는 {max}자까지 보낼 수 있습니다.',
  'chat.empty': '아직 메시지가 없습니다.',
  'chat.newMessage': '{name}: {body}',
  'event.hand_raised': '{name}님이 손을 들었습니다.',
  'event.hand_lowered': '{name}님의 손이 내려졌습니다.',
  'event.participant_removed': '{name}님이 참여자를 내보냈습니다.',
  'event.participant_removed_named': '{name}님이 {target}님을 내보냈습니다.',
  'event.session_ended': '수업이 끝났습니다.',

  'error.invalid_input': '입력한 내용을 확인해 주세요.',
  'error.not_authenticated': '로그인이 필요합니다.',
  'error.forbidden': '이 작업을 할 권한이 없습니다.',
  'error.not_found': '찾을 수 없습니다.',
  'error.conflict': '이미 처리되었거나 지금 할 수 없는 작업입니다.',
  'error.rate_limited': '너무 빠르게 요청했습니다. 잠시 뒤 다시 해 주세요.',
  'error.payload_too_large': '보낸 내용이 너무 큽니다.',
  'error.method_not_allowed': '허용되지 않은 요청입니다.',
  'error.network': '서버에 연결할 수 없습니다. 네트워크를 확인해 주세요.',
  'error.timeout': '서버 응답이 늦습니다. 연결되면 다시 보냅니다.',
  'error.not_connected': '수업에 연결되어 있지 않습니다.',
  'error.unknown': '알 수 없는 오류가 생겼습니다.',
  'error.notFoundPage': '없는 페이지입니다.',
};

const en = {
  'app.name': 'newSSEM',
  'app.tagline': 'Remote classes for Seoul public schools',
  'app.skip': 'Skip to content',
  'lang.switch': '한국어',
  'lang.switch.label': 'Switch language to Korean',
  'nav.courses': 'My courses',
  'nav.logout': 'Log out',
  'nav.signedInAs': '{name} ({role})',
  'common.loading': 'Loading…',
  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.create': 'Create',
  'common.none': 'None',
  'common.back': 'Back',
  'common.created': 'Created.',
  'common.required': 'required',

  'role.admin': 'Administrator',
  'role.school_admin': 'School administrator',
  'role.teacher': 'Teacher',
  'role.co_teacher': 'Co-teacher',
  'role.student': 'Student',

  'login.title': 'Log in',
  'login.login': 'Username',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.busy': 'Logging in…',
  'login.demoHint': 'The demo school\'s accounts (teacher, student1–3, admin) and password are printed when the server starts.',

  'courses.title': 'My courses',
  'courses.empty': 'You have no courses yet.',
  'courses.subject': 'Subject',
  'courses.gradeBand': 'Grade',
  'courses.myRole': 'My role',
  'admin.title': 'Administration',
  'admin.newSchool': 'New school',
  'admin.newUser': 'New user',
  'admin.newCourse': 'New course',
  'school.code': 'School code',
  'school.name': 'School name',
  'school.kind': 'School type',
  'school.kind.elementary': 'Elementary',
  'school.kind.middle': 'Middle',
  'school.kind.high': 'High',
  'school.kind.special': 'Special education',
  'user.login': 'Username',
  'user.displayName': 'Name',
  'user.password': 'Password (8+ characters)',
  'user.role': 'Role',
  'user.school': 'School',
  'user.created': 'Created user {login} (id {id}).',
  'course.title': 'Course title',
  'course.subject': 'Subject',
  'course.gradeBand': 'Grade',
  'course.school': 'School',

  'course.sessions': 'Sessions',
  'course.noSessions': 'No sessions scheduled.',
  'course.schedule': 'Schedule a session',
  'course.sessionTitle': 'Session title',
  'course.start': 'Starts',
  'course.end': 'Ends',
  'course.enrolments': 'Enrolments',
  'course.addEnrolment': 'Enrol a user',
  'course.userId': 'User id',
  'course.role': 'Course role',
  'session.status.scheduled': 'Scheduled',
  'session.status.live': 'Live',
  'session.status.ended': 'Ended',
  'session.startBtn': 'Start class',
  'session.endBtn': 'End class',
  'session.enter': 'Enter class',
  'session.attendance': 'Attendance',
  'session.when': 'When',
  'session.status': 'Status',
  'session.actions': 'Actions',

  'attendance.title': 'Attendance: {title}',
  'attendance.student': 'Student',
  'attendance.status': 'Status',
  'attendance.computed': 'Computed',
  'attendance.firstJoin': 'First joined',
  'attendance.minutes': 'Minutes present',
  'attendance.history': 'Corrections',
  'attendance.correct': 'Correct status',
  'attendance.reason': 'Reason',
  'attendance.submit': 'Save correction',
  'attendance.empty': 'No attendance records.',
  'attendance.notYet': 'Attendance is computed when the session ends.',
  'attendance.correction': '{when} {who}: {from} → {to} ({reason})',
  'attendance.saved': 'Correction saved.',
  'attendance.present': 'Present',
  'attendance.late': 'Late',
  'attendance.excused': 'Excused',
  'attendance.absent': 'Absent',

  'live.title': 'Live class',
  'live.connecting': 'Connecting…',
  'live.connected': 'Connected',
  'live.reconnecting': 'Connection lost. Reconnecting…',
  'live.leave': 'Leave',
  'live.stage': 'Class stage',
  'live.mediaControls': 'Camera and microphone',
  'live.removed': 'The teacher removed you from this class.',
  'live.revoked.logged_out': 'You were logged out, so the class was disconnected. Log in again to come back.',
  'live.revoked.account_deactivated': 'Your account was deactivated, so you left the class. Please contact your school administrator.',
  'live.revoked.login': 'Go to the login page',
  'live.ended': 'The class has ended.',
  'live.backToCourse': 'Back to the course',
  'live.notStarted': 'The class has not started yet. You can enter once the teacher starts it.',
  'live.you': 'you',
  'live.noVideo': 'No video',
  'media.micOn': 'Turn microphone on',
  'media.micOff': 'Turn microphone off',
  'media.micMutedByTeacher': 'The teacher turned your microphone off',
  'media.cameraOn': 'Turn camera on',
  'media.cameraOff': 'Turn camera off',
  'media.cameraForbidden': 'Cameras are off for now',
  'media.screenStart': 'Share screen',
  'media.screenStop': 'Stop sharing',
  'media.chooseMic': 'Choose microphone',
  'media.chooseCamera': 'Choose camera',
  'media.allowCameras': 'Allow student cameras',
  'media.forbidCameras': 'Turn student cameras off',
  'media.muteStudent': 'Mute',
  'media.unmuteStudent': 'Allow microphone',
  'media.stopStudentCamera': 'Stop camera',
  'media.allowStudentCamera': 'Allow camera',
  'media.badgeMicOff': 'Microphone off',
  'media.badgeCameraOff': 'Camera off',
  'media.heldByTeacher': 'The teacher turned this off. Raise your hand to ask.',
  'media.permissionDenied': 'Camera or microphone access was refused. Please check the browser settings.',
  'media.noDevice': 'No camera or microphone found.',
  'media.quality.good': 'Good connection',
  'media.quality.fair': 'Fair connection',
  'media.quality.poor': 'Poor connection',
  'media.quality.unknown': 'Checking connection',
  'media.qualityDetail': 'round trip {rtt} ms, loss {loss}%, {fps} fps',
  'participants.title': 'Participants ({n})',
  'participants.hand': 'Hand raised',
  'participants.offline': 'Disconnected',
  'participants.lowerHand': 'Lower hand',
  'participants.remove': 'Remove',
  'participants.confirmRemove': 'Remove {name}?',
  'participants.confirm': 'Confirm removal',
  'participants.joined': '{name} joined.',
  'participants.left': '{name} left.',
  'hands.raise': 'Raise hand',
  'hands.lower': 'Lower hand',
  'hands.lowerAll': 'Lower all hands',
  'chat.title': 'Chat',
  'chat.input': 'Message',
  'chat.send': 'Send',
  'chat.pending': 'Sending…',
  'chat.failed': 'Not sent',
  'chat.retry': 'Retry',
  'chat.count': '{n} / {max} characters',
  'chat.tooLong': 'Messages can be at most {max} characters.',
  'chat.empty': 'No messages yet.',
  'chat.newMessage': '{name}: {body}',
  'event.hand_raised': '{name} raised a hand.',
  'event.hand_lowered': "{name}'s hand was lowered.",
  'event.participant_removed': '{name} removed a participant.',
  'event.participant_removed_named': '{name} removed {target}.',
  'event.session_ended': 'The class has ended.',

  'error.invalid_input': 'Please check what you entered.',
  'error.not_authenticated': 'Please log in.',
  'error.forbidden': 'You are not allowed to do that.',
  'error.not_found': 'Not found.',
  'error.conflict': 'Already done, or not possible right now.',
  'error.rate_limited': 'Too many requests. Please wait a moment.',
  'error.payload_too_large': 'What you sent is too large.',
  'error.method_not_allowed': 'That request is not allowed.',
  'error.network': 'Cannot reach the server. Please check the network.',
  'error.timeout': 'The server is slow to answer. It will be resent when connected.',
  'error.not_connected': 'Not connected to the class.',
  'error.unknown': 'Something went wrong.',
  'error.notFoundPage': 'Page not found.',
};

const DICTIONARIES = { ko, en };
const listeners = new Set();

let current = (() => {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(saved)) return saved;
  } catch {
    // Private browsing can refuse storage; Korean is the right default anyway.
  }
  return 'ko';
})();

export function lang() {
  return current;
}

/** Translate `key`, filling `{name}` placeholders from `params`. Unknown keys show as-is. */
export function t(key, params = {}) {
  const text = DICTIONARIES[current][key] ?? DICTIONARIES.ko[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) =>
    name in params ? String(params[name]) : match,
  );
}

/**
 * Add a feature's strings: each feature module keeps its own `{ko, en}` dictionaries and calls
 * this at import time, so no single file has to hold every screen's words.
 */
export function addStrings({ ko: koStrings = {}, en: enStrings = {} }) {
  Object.assign(DICTIONARIES.ko, koStrings);
  Object.assign(DICTIONARIES.en, enStrings);
}

export function has(key) {
  return key in DICTIONARIES.ko;
}

/**
 * Mark `el` so its text (or listed attributes) follow the language.
 * `attrs` maps attribute name -> key, e.g. {placeholder: 'chat.input'}.
 */
export function bind(el, key, params, attrs) {
  if (key) {
    el.dataset.i18n = key;
    if (params) el.dataset.i18nArgs = JSON.stringify(params);
  }
  if (attrs) el.dataset.i18nAttr = JSON.stringify(attrs);
  translateElement(el);
  return el;
}

function translateElement(el) {
  if (el.dataset.i18nDate !== undefined) {
    el.textContent =
      el.dataset.i18nDateStyle === 'time'
        ? formatTime(el.dataset.i18nDate)
        : formatDateTime(el.dataset.i18nDate);
    return;
  }
  const args = el.dataset.i18nArgs ? JSON.parse(el.dataset.i18nArgs) : {};
  if (el.dataset.i18n) el.textContent = t(el.dataset.i18n, args);
  if (el.dataset.i18nAttr) {
    for (const [attr, key] of Object.entries(JSON.parse(el.dataset.i18nAttr))) {
      el.setAttribute(attr, t(key, args));
    }
  }
}

/** A <time> element that re-formats itself when the language changes. */
export function timeElement(iso, style = 'datetime') {
  const el = document.createElement('time');
  if (iso) el.dateTime = iso;
  el.dataset.i18nDate = iso || '';
  if (style === 'time') el.dataset.i18nDateStyle = 'time';
  translateElement(el);
  return el;
}

/** Re-translate every bound element under `root`. */
export function apply(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n], [data-i18n-attr], [data-i18n-date]')) translateElement(el);
}

export function setLang(next) {
  if (!LANGUAGES.includes(next) || next === current) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not persisted, still switched for this page.
  }
  apply();
  for (const listener of listeners) listener(next);
}

/** Call `listener(lang)` after each switch; returns the unsubscribe function. */
export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Date and time in the reader's language, in the browser's time zone. */
export function formatDateTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(current === 'ko' ? 'ko-KR' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(current === 'ko' ? 'ko-KR' : 'en-GB', {
    timeStyle: 'short',
  }).format(date);
}
