// A video or recording the teacher plays to the class (docs/shared-content.md).
//
// Every browser plays the file itself from /api/files/{id}; only the teacher's play, pause and
// seek travel, each with the position the teacher's player showed. A state received at local
// time t0 with position p is at p + (now - t0) while playing, so no clock needs to agree with
// the server's, and a late joiner starts where the class is. Students' players drift back in
// step on their own (checked every few seconds); a browser that refuses to start sound without
// a click shows a "play" button instead.
import * as api from '../api.js';
import { announce, h } from '../dom.js';
import { addStrings, bind, t } from '../i18n.js';

addStrings({
  ko: {
    'media.title': '함께 보기',
    'media.pick': '영상·소리 고르기',
    'media.none': '아직 올린 영상이나 소리가 없습니다.',
    'media.upload': '영상·소리 올리기',
    'media.uploading': '올리는 중…',
    'media.load': '틀기',
    'media.stop': '그만 틀기',
    'media.waiting': '선생님이 영상이나 소리를 틀면 여기에 나타납니다.',
    'media.following': '선생님이 트는 대로 함께 재생됩니다.',
    'media.tapToPlay': '눌러서 함께 보기',
    'media.announce': '선생님이 "{name}"을(를) 틀었습니다.',
    'media.player': '함께 보는 영상',
    'media.delete': '지우기',
    'media.confirmDelete': '"{name}"을(를) 지울까요? 되돌릴 수 없습니다.',
  },
  en: {
    'media.title': 'Watch together',
    'media.pick': 'Choose a video or recording',
    'media.none': 'No video or audio uploaded yet.',
    'media.upload': 'Upload video or audio',
    'media.uploading': 'Uploading…',
    'media.load': 'Play to class',
    'media.stop': 'Stop',
    'media.waiting': 'When the teacher plays a video or recording it appears here.',
    'media.following': 'Plays along with the teacher.',
    'media.tapToPlay': 'Click to watch along',
    'media.announce': 'The teacher is playing "{name}".',
    'media.player': 'Shared video',
    'media.delete': 'Delete',
    'media.confirmDelete': 'Delete "{name}"? This cannot be undone.',
  },
});

const MEDIA_TYPES = 'video/mp4,video/webm,video/ogg,audio/mpeg,audio/ogg,audio/wav,audio/mp4';
const DRIFT_SECONDS = 1.0;
const CHECK_EVERY_MS = 3000;

export function mountTool({ room, panels, showError }) {
  let teaching = false;
  let state = { file: null, playing: false, position: 0 };
  let receivedAt = performance.now();
  let applying = false;

  const picker = h('select', { class: 'media-picker', testid: 'media-picker', i18nAttr: { 'aria-label': 'media.pick' } });
  const loadButton = h('button', { type: 'button', class: 'btn btn--small btn--primary', testid: 'media-load', i18n: 'media.load' });
  const stopButton = h('button', { type: 'button', class: 'btn btn--small', testid: 'media-stop', i18n: 'media.stop' });
  const fileInput = h('input', { type: 'file', accept: MEDIA_TYPES, class: 'sr-only', id: 'media-upload-input', testid: 'media-upload-input' });
  const uploadLabel = h('label', { for: 'media-upload-input', class: 'btn btn--small', testid: 'media-upload', i18n: 'media.upload' });
  const deleteButton = h('button', { type: 'button', class: 'btn btn--small btn--danger', testid: 'media-delete', i18n: 'media.delete' });
  const teacherBar = h('div', { class: 'doc-toolbar', role: 'toolbar', i18nAttr: { 'aria-label': 'media.title' } },
    picker, loadButton, uploadLabel, fileInput, stopButton, deleteButton);
  const name = h('strong', { class: 'doc-name', testid: 'media-name' });
  const holder = h('div', { class: 'shared-media-player' });
  const tapButton = h('button', { type: 'button', class: 'btn btn--primary', testid: 'media-tap', i18n: 'media.tapToPlay', hidden: true });
  const hint = h('p', { class: 'small muted', testid: 'media-hint' });
  const panel = h('section', { class: 'panel shared-media', testid: 'shared-media-panel', hidden: true, 'aria-labelledby': 'media-title' },
    h('h2', { id: 'media-title', i18n: 'media.title' }), teacherBar, hint, name, holder, tapButton);
  panels.main.append(panel);

  let player = null;

  function courseId() {
    return room.session?.course_id;
  }

  async function loadList(selectId = null) {
    if (!teaching || !courseId()) return;
    let items = [];
    try {
      items = (await api.get(`/api/courses/${courseId()}/media`)).items;
    } catch (error) {
      showError(error);
      return;
    }
    picker.replaceChildren();
    if (!items.length) picker.append(h('option', { value: '', i18n: 'media.none' }));
    for (const item of items) picker.append(h('option', { value: String(item.id) }, item.name));
    if (selectId) picker.value = String(selectId);
    loadButton.disabled = !items.length;
    deleteButton.disabled = !items.length;
  }

  /** Where the media should be now, by the last state and the local clock since. */
  function expected() {
    const elapsed = state.playing ? (performance.now() - receivedAt) / 1000 : 0;
    return state.position + elapsed;
  }

  function makePlayer(file) {
    const audio = file.mime.startsWith('audio/');
    const element = h(audio ? 'audio' : 'video', {
      class: 'shared-media-element', testid: 'media-player', preload: 'auto', playsinline: true,
      controls: teaching, i18nAttr: { 'aria-label': 'media.player' },
    });
    element.src = file.url;
    element.dataset.fileId = String(file.id);
    if (teaching) {
      for (const [type, action] of [['play', 'play'], ['pause', 'pause'], ['seeked', 'seek']]) {
        element.addEventListener(type, () => {
          if (applying) return;
          // A seek while paused stays paused; a seek while playing carries on playing.
          const chosen = action === 'seek' && !element.paused ? 'play' : action;
          control(chosen, element.currentTime);
        });
      }
    }
    return element;
  }

  async function control(action, position) {
    try {
      const ack = await room.request('shared_media:control', { action, position: Math.max(0, position) });
      adopt(ack.state, { fromSelf: true });
    } catch (error) {
      showError(error);
    }
  }

  /** Bring the player to the class's state; its own events are not sent back meanwhile. */
  async function sync() {
    if (!player || !state.file) return;
    const target = expected();
    const seek = Number.isFinite(target) && Math.abs(player.currentTime - target) > DRIFT_SECONDS;
    const play = state.playing && player.paused;
    const pause = !state.playing && !player.paused;
    if (!seek && !play && !pause) return;
    applying = true;
    try {
      if (seek) player.currentTime = target;
      if (play) {
        try {
          await player.play();
          tapButton.hidden = true;
        } catch {
          tapButton.hidden = false; // autoplay refused: the student starts it with a click
        }
      } else if (pause) {
        player.pause();
      }
    } finally {
      // 'seeked' fires after the seek completes: keep ignoring for a moment.
      setTimeout(() => { applying = false; }, seek ? 500 : 50);
    }
  }

  function adopt(next, { fromSelf = false } = {}) {
    const changed = state.file?.id !== next.file?.id;
    state = next;
    receivedAt = performance.now();
    if (changed) {
      holder.replaceChildren();
      player = next.file ? makePlayer(next.file) : null;
      if (player) {
        holder.append(player);
        player.addEventListener('loadedmetadata', () => sync(), { once: true });
        if (!teaching) announce(t('media.announce', { name: next.file.name }));
      }
    }
    render();
    // A teacher's own player is the source of the class's time: it is moved only when a new
    // file is loaded, never by the echo of its own play/pause/seek.
    if (changed || (!teaching && !fromSelf)) sync();
  }

  function render() {
    panel.hidden = false;
    teacherBar.hidden = !teaching;
    stopButton.hidden = !state.file;
    name.textContent = state.file ? state.file.name : '';
    name.hidden = !state.file;
    bind(hint, state.file ? 'media.following' : 'media.waiting');
    hint.hidden = teaching;
    if (!state.file) tapButton.hidden = true;
    panel.dataset.playing = String(Boolean(state.playing));
  }

  tapButton.addEventListener('click', () => sync());
  loadButton.addEventListener('click', async () => {
    if (!picker.value) return;
    try {
      const ack = await room.request('shared_media:load', { file_id: Number(picker.value) });
      adopt(ack.state, { fromSelf: true });
    } catch (error) {
      showError(error);
    }
  });
  stopButton.addEventListener('click', async () => {
    try {
      const ack = await room.request('shared_media:stop', {});
      adopt(ack.state, { fromSelf: true });
    } catch (error) {
      showError(error);
    }
  });
  deleteButton.addEventListener('click', async () => {
    const option = picker.selectedOptions[0];
    if (!picker.value || !confirm(t('media.confirmDelete', { name: option?.textContent || '' }))) return;
    try {
      await api.request('DELETE', `/api/media/${picker.value}`);
      if (state.file && String(state.file.id) === picker.value) {
        const ack = await room.request('shared_media:stop', {});
        adopt(ack.state, { fromSelf: true });
      }
      await loadList();
    } catch (error) {
      showError(error);
    }
  });
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file || !courseId()) return;
    bind(uploadLabel, 'media.uploading');
    try {
      const stored = await api.upload(`/api/courses/${courseId()}/media`, file);
      await loadList(stored.id);
    } catch (error) {
      showError(error);
    } finally {
      bind(uploadLabel, 'media.upload');
    }
  });

  const drift = setInterval(() => { if (!teaching) sync(); }, CHECK_EVERY_MS);
  const offs = [
    room.on('joined', () => {
      const joined = room.tools.shared_media;
      if (!joined) return;
      const wasTeaching = teaching;
      teaching = Boolean(joined.teaching);
      if (teaching !== wasTeaching) state = { file: null, playing: false, position: 0 }; // rebuild the player
      adopt(joined);
      if (teaching && !wasTeaching) loadList();
    }),
    room.onServer('shared_media:state', (next) => adopt(next)),
  ];

  return {
    destroy() {
      clearInterval(drift);
      for (const off of offs) off();
      player?.pause();
      panel.remove();
    },
  };
}
