// The query of a state as a link writes it. A link's preset applies first (playground.js
// initialState), so the keys the state changed away from its preset are written even where
// they are back at their defaults; parse() of the same text, without the preset step, gives
// the same state too (every non-default value is in it).
import { serialize } from '../state.js';
import { PRESET_BY_ID, presetSettings } from '../presets.js';

export function stateQuery(state) {
  return serialize(state, PRESET_BY_ID[state.preset] ? presetSettings(state.preset) : null);
}
