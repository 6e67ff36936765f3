// The query of a state as a link writes it. A link's preset applies first (playground.js
// initialState), so the keys the state changed away from its preset are written even where
// they are back at their defaults; parse() of the same text, without the preset step, gives
// the same state too (every non-default value is in it).
// One exception: the speed a preset moves on to after its key moment (presets.js `then`,
// page/pacing.js) is not written, so a link taken after the moment still opens at the pace
// that lets the next visitor watch it.
import { serialize, cadenceFor } from '../state.js';
import { PRESET_BY_ID, presetSettings } from '../presets.js';

export function stateQuery(state) {
  const p = PRESET_BY_ID[state.preset];
  if (!p) return serialize(state, null);
  const followed = state.monitorEvery === cadenceFor(state.speed, state);  // not a cadence chosen by hand
  const watched = p.then && state.speed === p.then ? { ...state, speed: p.pace, ...(followed ? { monitorEvery: cadenceFor(p.pace, state) } : {}) } : state;
  return serialize(watched, presetSettings(p.id));
}
