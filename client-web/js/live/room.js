// One live class as seen from this browser: the socket.io connection to namespace `/class`,
// the join handshake, and recovery after a drop.
//
// python-socketio has no connection-state recovery, so the protocol does it with sequence
// numbers: every durable room event carries a per-room `seq`; after any reconnect we join again
// with the last seq we saw and the server replays what we missed. Events are deduplicated by
// seq, because a replay and a live broadcast can overlap around the moment of joining.
import { io } from '../../vendor/socket.io.esm.min.js';

const ACK_TIMEOUT_MS = 10000;
// After the server itself cut the socket (not a removal: a node restarting), wait a little
// before trying again so a whole class does not stampede the next node at once.
const SERVER_DROP_RETRY_MS = 1500 + Math.random() * 1500;

/** A failed request: `code` is a protocol error code, or `timeout` / `not_connected`. */
export class RoomError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export class Room {
  constructor(sessionId) {
    this.sessionId = sessionId;
    /** This tab's own id, sent with every join: the server gives a returning tab back what it had. */
    this.tabId = clientId();
    /** connecting | joined | waiting | reconnecting | removed | revoked | ended | failed | closed */
    this.state = 'connecting';
    this.lastSeq = null;
    this.session = null;
    this.you = null;
    this.participants = [];
    this.error = null;
    /** Every name ever seen in this room, so events about someone who left still read well. */
    this.names = new Map();
    this.seen = new Set();
    this.listeners = new Map();
    /** Server events that live-class tools listen to: event name -> Set of listeners. */
    this.serverListeners = new Map();
    /** Each tool's state as the join ack gave it (`ack.tools[name]`), refreshed on every join. */
    this.tools = {};
    this.socket = null;
  }

  /**
   * Listen to a server event of a live-class tool (e.g. 'quiz:launched'), across reconnects.
   * Returns the unsubscribe function.
   */
  onServer(type, listener) {
    if (!this.serverListeners.has(type)) {
      this.serverListeners.set(type, new Set());
      this.socket?.on(type, (data) => this.dispatchServer(type, data));
    }
    this.serverListeners.get(type).add(listener);
    return () => this.serverListeners.get(type)?.delete(listener);
  }

  dispatchServer(type, data) {
    for (const listener of this.serverListeners.get(type) || []) {
      try {
        listener(data);
      } catch (error) {
        console.error(`room listener for ${type} failed`, error);
      }
    }
  }

  /** Subscribe to 'state' | 'joined' | 'presence' | 'event' | 'removed' | 'revoked' | 'ended'. */
  on(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(listener);
    return () => this.listeners.get(type).delete(listener);
  }

  emit(type, detail) {
    for (const listener of this.listeners.get(type) || []) {
      try {
        listener(detail);
      } catch (error) {
        console.error(`room listener for ${type} failed`, error);
      }
    }
  }

  setState(state, error = null) {
    this.state = state;
    this.error = error;
    this.emit('state', state);
  }

  get joined() {
    return this.state === 'joined';
  }

  /** Terminal states: nothing will reconnect any more. */
  get finished() {
    return ['removed', 'revoked', 'ended', 'failed', 'closed'].includes(this.state);
  }

  nameOf(userId) {
    return this.names.get(userId) || `#${userId}`;
  }

  connect() {
    // The session cookie authenticates the socket (same origin); withCredentials also covers a
    // deployment that serves the client from another origin than the API.
    // `session_id` in the query lets the load balancer send a whole class to one node, where
    // its media router lives (infra/nginx.conf hashes it).
    const socket = io('/class', {
      withCredentials: true, autoConnect: false, query: { session_id: String(this.sessionId) },
    });
    this.socket = socket;
    socket.on('connect', () => this.join());
    socket.on('disconnect', (reason) => this.onDisconnect(reason));
    socket.on('connect_error', (error) => this.onConnectError(error));
    socket.on('presence', (data) => this.setParticipants(data.participants));
    socket.on('room_event', (event) => this.receive(event));
    socket.on('removed', (data) => {
      this.setState('removed');
      this.setParticipants([]); // no longer in the room: an old list would mislead
      this.emit('removed', data || {});
    });
    // This login was revoked (logged out elsewhere, account deactivated): the server cuts the
    // socket next, and reconnecting could only be refused. `room.error.reason` says which.
    socket.on('revoked', (data) => {
      this.setState('revoked', data || {});
      this.setParticipants([]);
      this.emit('revoked', data || {});
    });
    socket.on('session_ended', (data) => {
      this.setState('ended');
      this.setParticipants([]);
      this.emit('ended', data || {});
      socket.disconnect();
    });
    socket.on('error', (data) => console.warn('class socket error', data));
    for (const type of this.serverListeners.keys()) {
      socket.on(type, (data) => this.dispatchServer(type, data));
    }
    socket.connect();
  }

  async join() {
    let ack;
    try {
      ack = await this.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('join', { session_id: this.sessionId, last_seq: this.lastSeq, tab_id: this.tabId });
    } catch {
      // No answer: drop the transport and let the reconnect loop try again.
      if (!this.finished) this.socket.io.engine?.close();
      return;
    }
    if (!ack || !ack.ok) {
      const error = ack?.error || { code: 'unknown' };
      if (error.code === 'waiting') {
        // Held in the waiting room: stay connected, the admission arrives on this socket and
        // live/moderation.js joins again; after a drop the reconnect asks again by itself.
        this.setState('waiting', error);
        return;
      }
      this.setState('failed', error);
      this.socket.disconnect();
      return;
    }
    this.session = ack.session;
    this.you = ack.you;
    this.tools = ack.tools || {};
    this.setParticipants(ack.participants || []);
    for (const event of ack.history || []) this.receive(event);
    if (typeof ack.last_seq === 'number') this.lastSeq = Math.max(this.lastSeq ?? 0, ack.last_seq);
    this.setState('joined');
    this.emit('joined', {
      resumed: Boolean(ack.resumed), session: ack.session, you: ack.you, tools: this.tools,
    });
  }

  onDisconnect(reason) {
    if (this.finished) return;
    this.setState('reconnecting');
    if (reason === 'io server disconnect') {
      // socket.io does not reconnect by itself after a server-side disconnect.
      setTimeout(() => {
        if (!this.finished && !this.socket.connected) this.socket.connect();
      }, SERVER_DROP_RETRY_MS);
    }
  }

  onConnectError(error) {
    if (this.finished) return;
    if (!this.socket.active) {
      // The server refused the connection itself (not the network): do not retry blindly.
      this.setState('failed', error.data || { code: 'not_authenticated', message: error.message });
      return;
    }
    this.setState('reconnecting');
  }

  setParticipants(participants) {
    this.participants = participants;
    for (const p of participants) this.names.set(p.user_id, p.display_name);
    if (this.you) this.you = participants.find((p) => p.user_id === this.you.user_id) || this.you;
    this.emit('presence', participants);
  }

  receive(event) {
    if (typeof event?.seq !== 'number' || this.seen.has(event.seq)) return;
    this.seen.add(event.seq);
    this.lastSeq = Math.max(this.lastSeq ?? 0, event.seq);
    if (event.actor) this.names.set(event.actor.id, event.actor.display_name);
    this.emit('event', event);
  }

  /** Send a client→server event and resolve with its ack, or throw RoomError. */
  async request(type, payload = {}) {
    if (!this.joined || !this.socket.connected) throw new RoomError('not_connected');
    let ack;
    try {
      ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(type, payload);
    } catch {
      throw new RoomError('timeout');
    }
    if (!ack || !ack.ok) {
      const error = ack?.error || {};
      throw new RoomError(error.code || 'unknown', error.message);
    }
    return ack;
  }

  /** Leave on purpose (attendance records `left`, not a network drop) and close the socket. */
  async close() {
    const wasJoined = this.joined && this.socket?.connected;
    this.setState('closed');
    if (!this.socket) return;
    if (wasJoined) {
      try {
        await this.socket.timeout(2000).emitWithAck('leave', {});
      } catch {
        // Leaving anyway; the server closes the interval when the socket drops.
      }
    }
    this.socket.disconnect();
    this.listeners.clear();
    this.serverListeners.clear();
  }
}

/** A unique id for idempotent sends; randomUUID needs a secure context, plain-http LANs lack it. */
export function clientId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
