/**
 * Building effects inside node machines: `emit(({ context }) => send(context.tm, {...}))`.
 * A node never performs an effect; it emits one and the kit applies it to the world.
 */
import type { Effect, Message, Observation } from './model.js';

/** Since 0.1.0. A message for node `to`. */
export function send(to: string, message: Message): Effect {
  return { type: 'send', to, message };
}

/** Since 0.1.0. A fact for history properties, kept in the world's observation set. */
export function observe(observation: Observation): Effect {
  return { type: 'observe', observation };
}
