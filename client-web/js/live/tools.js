// The live-class tools beyond presence, chat, hands and media: quizzes and polls, group rooms,
// shared documents and media, the whiteboard, moderation. Each tool is one module (or folder)
// exporting
//   mountTool({ room, panels, showError }) -> { destroy() }
// where `panels` holds the page's places a tool may add to:
//   main     - under the stage (documents, whiteboard, shared media),
//   side     - the right-hand column above participants (quiz cards, group lists),
//   actions  - the header's button row (teacher tools),
//   controls - the media toolbar.
// A tool reads its state from `room.tools[name]` after each join and listens to its own
// server events with `room.onServer(...)`. Add a tool by importing it into TOOLS.

import * as breakouts from './breakouts.js';
import * as moderation from './moderation.js';
import * as presentation from './presentation.js';
import * as quiz from './quiz.js';
import * as sharedMedia from './shared-media.js';
import * as whiteboard from './whiteboard.js';

export const TOOLS = [moderation, quiz, breakouts, presentation, whiteboard, sharedMedia];
