import type { ChatMessage } from '../../providers/types.ts';
import { exampleBlock } from '../prompt.ts';

/**
 * The self-critique prompt: the model being trained reads one of its training examples, rates on 1–10
 * how much a model like it would learn from it (`Rating: x`), then critiques it.
 */
export function selfCritiqueMessages(instruction: string, response: string): ChatMessage[] {
  const user = [
    'Here is a training example for a language model like you: an instruction and the response the model is trained to give.',
    '',
    ...exampleBlock(instruction, response),
    '### Your task:',
    'Rate on a scale of 1 to 10 how much a model like you would learn from training on this example (1: nothing, or it would learn something wrong; 10: a great deal).',
    'Output a first line of the form "Rating: x", with x the rating. Then critique the example briefly: is the response correct, complete and well written, and is the task worth learning?',
  ].join('\n');
  return [{ role: 'user', content: user }];
}
