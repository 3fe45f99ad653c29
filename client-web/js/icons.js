// Inline SVG icons. Not emoji: many school PCs and tablets lack a colour emoji font, and an
// SVG follows the text colour and size.
const PATHS = {
  // A raised open hand, drawn for this project.
  hand: 'M7 11V5.5a1.5 1.5 0 0 1 3 0V10h.5V3.5a1.5 1.5 0 0 1 3 0V10h.5V4.5a1.5 1.5 0 0 1 3 0V11h.5V7.5a1.5 1.5 0 0 1 3 0V15a7 7 0 0 1-7 7h-.6a7 7 0 0 1-5.3-2.4l-3.9-4a1.5 1.5 0 0 1 2.2-2L7 15z',
};

const SVG = 'http://www.w3.org/2000/svg';

/** A decorative icon (aria-hidden); give the surrounding element the accessible name. */
export function icon(name, className = 'icon') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', className);
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', PATHS[name]);
  svg.append(path);
  return svg;
}
