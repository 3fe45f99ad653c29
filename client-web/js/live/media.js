// Live video and audio through the class's SFU (see docs/protocol.md, "Media").
//
// Two RTCPeerConnections, as the server's media plane expects: `send` carries our camera,
// microphone and screen (we offer, the `media:publish` ack answers) and `recv` carries everyone
// else's (the server offers with `media:offer`, we answer with `media:answer`). The server never
// has two offers out at once, so answering is a simple queue. Only standard APIs: addTransceiver,
// replaceTrack, rollback, getStats; no SDP is edited here, so Chromium and Firefox both work.
//
// Turning the camera off stops the track (the camera light goes out) and pauses our producer, so
// the others see "camera off" rather than a frozen picture; turning it on sends a new track on
// the same m-section. The server may also hold a producer paused (a teacher's mute, the class's
// camera rule); `holds` on a producer says why, and our toolbar shows it.
import { h } from '../dom.js';
import { bind, t } from '../i18n.js';
import { createQualityMeter } from './quality.js';
import { isTeaching } from './roles.js';

const GATHER_LIMIT_MS = 3000;
const QUALITY_EVERY_MS = 3000;
const VIDEO = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } };
const SERVER_EVENTS = ['media:offer', 'media:producer_added', 'media:producer_removed',
  'media:producer_paused', 'media:producer_resumed', 'media:policy'];

/** Resolve once ICE gathering is complete: the SFU takes no trickled candidates. */
function gathered(pc, limitMs = GATHER_LIMIT_MS) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => { if (pc.iceGatheringState === 'complete') finish(); };
    const timer = setTimeout(finish, limitMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

function description(desc) {
  return { type: desc.type, sdp: desc.sdp };
}

/** Run async jobs one after another (negotiations must not interleave). */
function serial() {
  let tail = Promise.resolve();
  return (job) => {
    const run = tail.then(job, job);
    tail = run.catch(() => {});
    return run;
  };
}

export function mountMedia({ room, stage, controls, slotFor }) {
  const producers = new Map(); // producer id -> ProducerInfo (everyone's, ours included)
  const remote = new Map(); // producer id -> { track, receiver }
  const tiles = new Map(); // producer id -> tile element
  const mids = new Map(); // recv mid -> producer id
  const own = new Map(); // source -> { transceiver, track, producerId, on }
  const moderation = new Map(); // user id -> element with that student's teacher controls
  const onSend = serial();
  const onRecv = serial();
  const offSocket = [];
  let sendPc = null;
  let recvPc = null;
  let iceServers = [];
  let policy = { student_cameras_allowed: true, student_screens_allowed: false };
  let generation = 0; // bumps on every (re)start, so stale async work stops
  let destroyed = false;
  let localVideo = null;
  const devices = { audioinput: null, videoinput: null }; // chosen device ids

  // -- toolbar --------------------------------------------------------------------------------
  const message = h('span', { class: 'media-message', testid: 'media-message', role: 'status' });
  const micButton = h('button', { type: 'button', class: 'btn btn--small', testid: 'mic-toggle', 'aria-pressed': 'false' });
  const camButton = h('button', { type: 'button', class: 'btn btn--small', testid: 'camera-toggle', 'aria-pressed': 'false' });
  const screenButton = h('button', { type: 'button', class: 'btn btn--small', testid: 'screen-toggle', 'aria-pressed': 'false', hidden: true });
  const camerasPolicy = h('button', { type: 'button', class: 'btn btn--small', testid: 'cameras-policy', hidden: true });
  const micSelect = h('select', { class: 'media-device', testid: 'mic-select', i18nAttr: { 'aria-label': 'media.chooseMic' } });
  const camSelect = h('select', { class: 'media-device', testid: 'camera-select', i18nAttr: { 'aria-label': 'media.chooseCamera' } });
  const quality = h('span', { class: 'media-quality', testid: 'connection-quality', dataset: { quality: 'unknown' } });
  controls.append(micButton, camButton, screenButton, micSelect, camSelect, camerasPolicy, quality, message);

  const teaching = () => isTeaching(room.you);
  const mayUse = (source) => teaching() || (source === 'camera' ? policy.student_cameras_allowed
    : source === 'screen' ? policy.student_screens_allowed : true);

  function say(key, args) {
    if (key) bind(message, key, args);
    else message.textContent = '';
  }

  function ownInfo(source) {
    const entry = own.get(source);
    return entry?.producerId ? producers.get(entry.producerId) : null;
  }

  function renderToolbar() {
    const mic = own.get('microphone');
    const cam = own.get('camera');
    const micHeld = ownInfo('microphone')?.holds?.includes('moderator');
    micButton.setAttribute('aria-pressed', String(Boolean(mic?.on)));
    bind(micButton, micHeld ? 'media.micMutedByTeacher' : mic?.on ? 'media.micOff' : 'media.micOn');
    micButton.dataset.held = String(Boolean(micHeld));
    camButton.setAttribute('aria-pressed', String(Boolean(cam?.on)));
    camButton.disabled = !mayUse('camera');
    bind(camButton, !mayUse('camera') ? 'media.cameraForbidden' : cam?.on ? 'media.cameraOff' : 'media.cameraOn');
    screenButton.hidden = !mayUse('screen') || !navigator.mediaDevices?.getDisplayMedia;
    screenButton.setAttribute('aria-pressed', String(own.has('screen')));
    bind(screenButton, own.has('screen') ? 'media.screenStop' : 'media.screenStart');
    camerasPolicy.hidden = !teaching();
    camerasPolicy.dataset.allowed = String(policy.student_cameras_allowed);
    bind(camerasPolicy, policy.student_cameras_allowed ? 'media.forbidCameras' : 'media.allowCameras');
  }

  async function listDevices() {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const found = await navigator.mediaDevices.enumerateDevices();
    for (const [kind, select, source] of [['audioinput', micSelect, 'microphone'], ['videoinput', camSelect, 'camera']]) {
      const current = devices[kind] || own.get(source)?.track?.getSettings?.().deviceId;
      const options = found.filter((d) => d.kind === kind).map((d, i) =>
        h('option', { value: d.deviceId, selected: d.deviceId === current }, d.label || `${kind} ${i + 1}`));
      select.replaceChildren(...options);
      select.hidden = options.length < 2;
    }
  }

  // -- stage ----------------------------------------------------------------------------------
  function tileFor(info) {
    let tile = tiles.get(info.id);
    if (tile) return tile;
    const video = info.kind === 'video';
    const element = video
      ? h('video', { autoplay: true, playsInline: true, muted: true })
      : h('audio', { autoplay: true });
    tile = h('div', {
      class: `media-tile media-tile--${info.source}`, testid: 'tile',
      dataset: { userId: String(info.user_id), producerId: info.id, source: info.source, kind: info.kind },
    }, element, h('span', { class: 'media-badge', testid: 'paused-badge' }));
    tiles.set(info.id, tile);
    return tile;
  }

  function renderTile(id) {
    const info = producers.get(id);
    const media = remote.get(id);
    if (!info || !media || destroyed) return;
    const tile = tileFor(info);
    const element = tile.firstElementChild;
    if (element.srcObject?.getTracks()[0] !== media.track) {
      element.srcObject = new MediaStream([media.track]);
      element.play?.().catch(() => {}); // autoplay may wait for a click; the stats still flow
    }
    const paused = Boolean(info.paused);
    tile.dataset.paused = String(paused);
    tile.dataset.holds = (info.holds || []).join(' ');
    const badge = tile.querySelector('.media-badge');
    badge.hidden = !paused;
    if (paused) bind(badge, info.kind === 'audio' ? 'media.badgeMicOff' : 'media.badgeCameraOff');
    place(tile, info);
  }

  /** Video goes into the participant's media slot; an audio tile is a badge on their tile. */
  function place(tile, info) {
    const slot = slotFor(info.user_id);
    if (!slot) return; // not listed yet: placed again on the next presence update
    const parent = info.kind === 'video' ? slot : slot.parentElement;
    if (tile.parentElement !== parent) {
      if (info.source === 'screen') parent.prepend(tile);
      else parent.append(tile);
    }
    slot.classList.toggle('tile-media--screen', Boolean(slot.querySelector('.media-tile--screen')));
  }

  function dropTile(id) {
    const tile = tiles.get(id);
    if (!tile) return;
    const slot = tile.closest('[data-media-slot]');
    tile.firstElementChild.srcObject = null;
    tile.remove();
    tiles.delete(id);
    slot?.classList.toggle('tile-media--screen', Boolean(slot.querySelector('.media-tile--screen')));
  }

  function showLocal() {
    const cam = own.get('camera');
    const slot = room.you ? slotFor(room.you.user_id) : null;
    if (!cam?.on || !cam.track || !slot) {
      localVideo?.remove();
      return;
    }
    localVideo ||= h('video', { class: 'media-local', testid: 'local-video', autoplay: true, playsInline: true, muted: true });
    if (localVideo.srcObject?.getTracks()[0] !== cam.track) localVideo.srcObject = new MediaStream([cam.track]);
    if (localVideo.parentElement !== slot) slot.append(localVideo);
  }

  /** A teacher's buttons on each student's tile: mute the microphone, stop the camera. */
  function renderModeration() {
    const students = teaching() ? room.participants.filter((p) => !isTeaching(p)) : [];
    const present = new Set(students.map((p) => p.user_id));
    for (const [userId, box] of moderation) {
      if (!present.has(userId)) {
        box.remove();
        moderation.delete(userId);
      }
    }
    for (const p of students) {
      const figure = slotFor(p.user_id)?.parentElement;
      if (!figure) continue;
      let box = moderation.get(p.user_id);
      if (!box) {
        box = h('div', { class: 'media-moderation', dataset: { userId: String(p.user_id) } });
        moderation.set(p.user_id, box);
      }
      const held = (source) => [...producers.values()].some((info) => info.user_id === p.user_id
        && info.source === source && info.holds?.includes('moderator'));
      const button = (source, testid, onKey, offKey) => {
        const isHeld = held(source);
        return h('button', {
          type: 'button', class: 'btn btn--small', testid, 'aria-pressed': String(isHeld),
          dataset: { userId: String(p.user_id) }, i18n: isHeld ? offKey : onKey,
          onclick: () => moderate(isHeld ? 'moderation:unmute' : 'moderation:mute', p.user_id, source),
        });
      };
      box.replaceChildren(
        button('microphone', 'mute-mic', 'media.muteStudent', 'media.unmuteStudent'),
        button('camera', 'stop-camera', 'media.stopStudentCamera', 'media.allowStudentCamera'));
      if (box.parentElement !== figure) figure.append(box);
    }
  }

  async function moderate(type, userId, source) {
    try {
      await room.request(type, { user_id: userId, source });
    } catch (error) {
      say(`error.${error.code}`);
    }
  }

  function renderAll() {
    for (const id of remote.keys()) renderTile(id);
    showLocal();
    renderModeration();
    renderToolbar();
  }

  // -- receiving ------------------------------------------------------------------------------
  function answer(message) {
    const mine = generation;
    return onRecv(async () => {
      if (mine !== generation || !recvPc) return;
      for (const [mid, id] of Object.entries(message.mids || {})) mids.set(mid, id);
      await recvPc.setRemoteDescription(message.offer);
      await recvPc.setLocalDescription(await recvPc.createAnswer());
      await gathered(recvPc);
      if (mine !== generation) return;
      await room.request('media:answer', { answer: description(recvPc.localDescription) });
    });
  }

  function onTrack(event) {
    const id = mids.get(event.transceiver.mid);
    if (!id) return;
    remote.set(id, { track: event.track, receiver: event.receiver });
    renderTile(id);
  }

  // -- sending --------------------------------------------------------------------------------
  /** Offer everything we send; the ack answers and names the new producers. */
  function publish() {
    const mine = generation;
    return onSend(async () => {
      if (mine !== generation || !sendPc) return;
      await sendPc.setLocalDescription(await sendPc.createOffer());
      await gathered(sendPc);
      const sources = {};
      for (const [source, entry] of own) {
        if (entry.transceiver.mid && entry.transceiver.direction === 'sendonly') sources[entry.transceiver.mid] = source;
      }
      let ack;
      try {
        ack = await room.request('media:publish', { offer: description(sendPc.localDescription), sources });
      } catch (error) {
        await sendPc.setLocalDescription({ type: 'rollback' }).catch(() => {});
        throw error;
      }
      await sendPc.setRemoteDescription(ack.answer);
      for (const info of ack.producers) {
        producers.set(info.id, info);
        const entry = own.get(info.source);
        if (entry) entry.producerId = info.id;
      }
      // A source switched off while we negotiated: tell the server now that it has an id.
      for (const entry of own.values()) {
        if (entry.producerId && !entry.on) await request('media:pause_producer', entry.producerId);
      }
    });
  }

  async function request(type, producerId) {
    try {
      return await room.request(type, { producer_id: producerId });
    } catch (error) {
      say(error.code === 'forbidden' ? 'media.heldByTeacher' : `error.${error.code}`);
      return null;
    }
  }

  function addSource(source, track) {
    const transceiver = sendPc.addTransceiver(track, { direction: 'sendonly', streams: [new MediaStream([track])] });
    own.set(source, { transceiver, track, producerId: null, on: true });
  }

  async function getTrack(kind) {
    const key = kind === 'audio' ? 'audioinput' : 'videoinput';
    const base = kind === 'audio' ? { echoCancellation: true, noiseSuppression: true } : VIDEO;
    const constraints = devices[key] ? { ...base, deviceId: { exact: devices[key] } } : base;
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
    return stream.getTracks()[0];
  }

  /** Camera and microphone on joining, as far as the class's rules and the devices allow. */
  async function publishDevices() {
    for (const [source, kind] of [['microphone', 'audio'], ['camera', 'video']]) {
      if (own.has(source) || !mayUse(source)) continue;
      try {
        addSource(source, await getTrack(kind));
      } catch (error) {
        console.info(`no ${source}:`, error.name);
        say(error.name === 'NotAllowedError' ? 'media.permissionDenied' : 'media.noDevice');
      }
    }
    if (own.size) await publish();
    renderAll();
    listDevices().catch(() => {});
  }

  async function toggleMic() {
    const mic = own.get('microphone');
    if (!mic) {
      await turnOn('microphone', 'audio');
      return;
    }
    if (mic.on) {
      mic.on = false;
      mic.track.enabled = false;
      if (mic.producerId) await request('media:pause_producer', mic.producerId);
    } else if (!mic.producerId || await request('media:resume_producer', mic.producerId)) {
      mic.on = true;
      mic.track.enabled = true;
    }
    renderAll();
  }

  async function cameraOff() {
    const cam = own.get('camera');
    if (!cam?.on) return;
    cam.on = false;
    await cam.transceiver.sender.replaceTrack(null);
    cam.track?.stop(); // the camera light goes out
    cam.track = null;
    if (cam.producerId) await request('media:pause_producer', cam.producerId);
    renderAll();
  }

  async function turnOn(source, kind) {
    if (!mayUse(source)) return;
    let track;
    try {
      track = await getTrack(kind);
    } catch (error) {
      say(error.name === 'NotAllowedError' ? 'media.permissionDenied' : 'media.noDevice');
      return;
    }
    const entry = own.get(source);
    if (entry) {
      await entry.transceiver.sender.replaceTrack(track);
      entry.track?.stop();
      entry.track = track;
      if (entry.producerId && !(await request('media:resume_producer', entry.producerId))) {
        entry.on = false;
        await entry.transceiver.sender.replaceTrack(null);
        track.stop();
        entry.track = null;
      } else {
        entry.on = true;
      }
    } else if (sendPc) {
      addSource(source, track);
      await publish().catch((error) => {
        say(`error.${error.code || 'unknown'}`);
        own.get(source)?.transceiver.stop();
        own.delete(source);
        track.stop();
      });
    }
    renderAll();
  }

  async function toggleCamera() {
    if (own.get('camera')?.on) await cameraOff();
    else await turnOn('camera', 'video');
  }

  async function toggleScreen() {
    const screen = own.get('screen');
    if (screen) {
      await stopScreen();
      return;
    }
    let track;
    try {
      track = (await navigator.mediaDevices.getDisplayMedia({ video: true })).getVideoTracks()[0];
    } catch {
      return; // the teacher closed the picker
    }
    track.contentHint = 'detail';
    track.addEventListener('ended', () => { if (own.get('screen')?.track === track) stopScreen(); });
    addSource('screen', track);
    await publish().catch((error) => {
      say(`error.${error.code || 'unknown'}`);
      stopScreen();
    });
    renderAll();
  }

  /** A shared screen ends for good: its producer closes, the m-section goes inactive. */
  async function stopScreen() {
    const screen = own.get('screen');
    if (!screen) return;
    own.delete('screen');
    screen.track?.stop();
    await screen.transceiver.sender.replaceTrack(null).catch(() => {});
    screen.transceiver.direction = 'inactive';
    if (screen.producerId) await request('media:close_producer', screen.producerId);
    renderAll();
  }

  async function chooseDevice(kind, deviceId) {
    devices[kind] = deviceId;
    const source = kind === 'audioinput' ? 'microphone' : 'camera';
    const entry = own.get(source);
    if (!entry?.on) return;
    try {
      const track = await getTrack(kind === 'audioinput' ? 'audio' : 'video');
      await entry.transceiver.sender.replaceTrack(track);
      entry.track?.stop();
      entry.track = track;
    } catch (error) {
      say('media.noDevice');
      console.info('device switch failed', error.name);
    }
    renderAll();
  }

  // -- server events --------------------------------------------------------------------------
  function onPolicy(next) {
    policy = next;
    if (!mayUse('camera')) cameraOff();
    renderAll();
  }

  function onChanged(data, paused) {
    const info = producers.get(data.producer_id);
    if (info) producers.set(info.id, { ...info, paused, holds: data.holds });
    renderAll();
  }

  const handlers = {
    'media:offer': (message) => answer(message).catch((error) => console.warn('answer failed', error)),
    'media:producer_added': ({ producer }) => {
      producers.set(producer.id, producer);
      renderTile(producer.id);
    },
    'media:producer_removed': ({ producer_id: id }) => {
      producers.delete(id);
      remote.delete(id);
      dropTile(id);
      renderAll();
    },
    'media:producer_paused': (data) => onChanged(data, true),
    'media:producer_resumed': (data) => onChanged(data, false),
    'media:policy': ({ policy: next }) => onPolicy(next),
  };
  for (const name of SERVER_EVENTS) {
    room.socket.on(name, handlers[name]);
    offSocket.push(() => room.socket.off(name, handlers[name]));
  }

  // -- lifecycle ------------------------------------------------------------------------------
  /** Close both connections; the server closed its side already when our socket dropped. */
  function stopConnections() {
    generation += 1;
    sendPc?.close();
    recvPc?.close();
    sendPc = null;
    recvPc = null;
    for (const id of [...tiles.keys()]) dropTile(id);
    remote.clear();
    mids.clear();
    producers.clear();
    for (const entry of own.values()) entry.producerId = null;
  }

  async function start() {
    stopConnections();
    const mine = generation;
    try {
      const config = await room.request('media:config');
      if (mine !== generation) return;
      iceServers = config.ice_servers || [];
      policy = config.policy || policy;
      for (const info of config.producers || []) producers.set(info.id, info);
      const rtc = { iceServers, bundlePolicy: 'max-bundle' };
      recvPc = new RTCPeerConnection(rtc);
      recvPc.addEventListener('track', onTrack);
      sendPc = new RTCPeerConnection(rtc);
      // Tracks kept from before a reconnect go out again on the new connection.
      const kept = [...own.entries()].filter(([source, entry]) => source !== 'screen' && entry.track && mayUse(source));
      own.clear();
      for (const [source, entry] of kept) {
        addSource(source, entry.track);
        own.get(source).on = entry.on;
      }
      const subscribed = await room.request('media:subscribe');
      if (subscribed.offer) await answer(subscribed);
      await publishDevices();
    } catch (error) {
      if (mine === generation) {
        console.warn('media start failed', error);
        say(`error.${error.code || 'unknown'}`);
      }
    }
  }

  micButton.addEventListener('click', () => toggleMic());
  camButton.addEventListener('click', () => toggleCamera());
  screenButton.addEventListener('click', () => toggleScreen());
  camerasPolicy.addEventListener('click', async () => {
    try {
      await room.request('moderation:cameras', { allowed: !policy.student_cameras_allowed });
    } catch (error) {
      say(`error.${error.code}`);
    }
  });
  micSelect.addEventListener('change', () => chooseDevice('audioinput', micSelect.value));
  camSelect.addEventListener('change', () => chooseDevice('videoinput', camSelect.value));
  navigator.mediaDevices?.addEventListener?.('devicechange', listDevices);

  const meter = createQualityMeter(() => [sendPc, recvPc]);
  const qualityTimer = setInterval(async () => {
    if (!sendPc && !recvPc) return;
    const reading = await meter.sample().catch(() => null);
    if (!reading) return;
    quality.dataset.quality = reading.quality;
    bind(quality, `media.quality.${reading.quality}`);
    quality.title = t('media.qualityDetail', {
      rtt: reading.rtt == null ? '-' : Math.round(reading.rtt * 1000),
      loss: reading.loss == null ? '-' : (reading.loss * 100).toFixed(1),
      fps: reading.fps == null ? '-' : Math.round(reading.fps),
    });
  }, QUALITY_EVERY_MS);
  bind(quality, 'media.quality.unknown');

  const offJoined = room.on('joined', () => start());
  // A live-class tool moved this tab to another media room (a breakout group and back).
  const offRestart = room.on('media-restart', () => { if (room.joined) start(); });
  const offState = room.on('state', (state) => {
    if (state !== 'joined') stopConnections();
    renderToolbar();
  });
  const offPresence = room.on('presence', () => renderAll());
  if (room.joined) start();
  renderToolbar();

  /** Test hook: what each tile receives, from the standard receiver stats. */
  const hook = {
    async stats() {
      const rows = [];
      for (const [id, tile] of tiles) {
        const media = remote.get(id);
        const row = { producerId: id, userId: Number(tile.dataset.userId), source: tile.dataset.source,
          kind: tile.dataset.kind, paused: tile.dataset.paused === 'true', framesDecoded: 0, packetsReceived: 0 };
        if (media?.receiver) {
          (await media.receiver.getStats()).forEach((stat) => {
            if (stat.type === 'inbound-rtp') {
              row.framesDecoded = stat.framesDecoded || 0;
              row.packetsReceived = stat.packetsReceived || 0;
            }
          });
        }
        rows.push(row);
      }
      return rows;
    },
    producers: () => [...producers.values()],
  };
  window.newssemMedia = hook;

  return {
    destroy() {
      destroyed = true;
      offJoined();
      offRestart();
      offState();
      offPresence();
      for (const off of offSocket) off();
      clearInterval(qualityTimer);
      navigator.mediaDevices?.removeEventListener?.('devicechange', listDevices);
      stopConnections();
      for (const entry of own.values()) entry.track?.stop();
      own.clear();
      localVideo?.remove();
      for (const box of moderation.values()) box.remove();
      controls.replaceChildren();
      if (window.newssemMedia === hook) delete window.newssemMedia;
    },
  };
}
